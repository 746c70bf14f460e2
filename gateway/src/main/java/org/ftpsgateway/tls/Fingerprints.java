package org.ftpsgateway.tls;

import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.cert.X509Certificate;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Locale;

/** SHA-256 fingerprints of certificates and public keys, and the pin formats operators copy them in. */
public final class Fingerprints {

  private static final HexFormat COLONS = HexFormat.ofDelimiter(":").withUpperCase();

  private Fingerprints() {
  }

  /**
   * Parses a pin. Accepted: what {@code openssl x509 -noout -fingerprint -sha256} prints ({@code sha256
   * Fingerprint=AB:CD:...}, with or without the prefix and the colons, any case), and curl's public-key pin
   * {@code sha256//<base64>}. Throws with a sentence otherwise.
   */
  public static byte[] parsePin(String text) {
    String s = text.strip();
    int eq = s.indexOf('=');
    if (eq >= 0 && s.substring(0, eq).toLowerCase(Locale.ROOT).replace(" ", "").equals("sha256fingerprint")) {
      s = s.substring(eq + 1).strip();
    }
    if (s.toLowerCase(Locale.ROOT).startsWith("sha256//")) {
      byte[] raw;
      try {
        raw = Base64.getDecoder().decode(s.substring("sha256//".length()));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("'" + text + "' is not valid base64 after sha256//");
      }
      if (raw.length != 32) {
        throw new IllegalArgumentException("'" + text + "' does not hold 32 bytes (a SHA-256 digest)");
      }
      return raw;
    }
    String hex = s.replace(":", "");
    if (hex.length() != 64 || !hex.chars().allMatch(c -> Character.digit(c, 16) >= 0)) {
      throw new IllegalArgumentException("'" + text + "' is not a SHA-256 fingerprint (64 hex digits, colons"
          + " optional, as openssl x509 -fingerprint -sha256 prints)");
    }
    return HexFormat.of().parseHex(hex);
  }

  /** SHA-256 of the certificate's DER encoding. */
  public static byte[] certificate(X509Certificate certificate) {
    try {
      return sha256(certificate.getEncoded());
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("cannot encode certificate: " + e.getMessage(), e);
    }
  }

  /** SHA-256 of the certificate's SubjectPublicKeyInfo (what HPKP and curl pin). */
  public static byte[] publicKey(X509Certificate certificate) {
    return sha256(certificate.getPublicKey().getEncoded());
  }

  /** {@code AB:CD:...}, as openssl prints it. */
  public static String format(byte[] digest) {
    return COLONS.formatHex(digest);
  }

  /** "subject=..., issuer=..., sha256=..." for log lines about a certificate. */
  public static String describe(X509Certificate certificate) {
    return "subject=\"" + certificate.getSubjectX500Principal().getName() + "\" issuer=\""
        + certificate.getIssuerX500Principal().getName() + "\" sha256=" + format(certificate(certificate));
  }

  private static byte[] sha256(byte[] data) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(data);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }
}
