package org.ftpsgateway.config;

import java.security.MessageDigest;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Locale;

/**
 * One {@code upstream.pinSha256} entry: the SHA-256 digest of the accepted leaf certificate or of its public key.
 * Parsed once, when the config is loaded; the trust check compares digests with {@link #matches}.
 */
public final class Sha256Pin {

  private static final HexFormat COLONS = HexFormat.ofDelimiter(":").withUpperCase();

  private final byte[] digest;

  private Sha256Pin(byte[] digest) {
    this.digest = digest.clone();
  }

  /**
   * Parses a pin. Accepted: what {@code openssl x509 -noout -fingerprint -sha256} prints ({@code sha256
   * Fingerprint=AB:CD:...}, with or without the prefix and the colons, any case), and curl's public-key pin
   * {@code sha256//<base64>}. Throws with a sentence otherwise.
   */
  public static Sha256Pin parse(String text) {
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
      return new Sha256Pin(raw);
    }
    String hex = s.replace(":", "");
    if (hex.length() != 64 || !hex.chars().allMatch(c -> Character.digit(c, 16) >= 0)) {
      throw new IllegalArgumentException("'" + text + "' is not a SHA-256 fingerprint (64 hex digits, colons"
          + " optional, as openssl x509 -fingerprint -sha256 prints)");
    }
    return new Sha256Pin(HexFormat.of().parseHex(hex));
  }

  /** Whether {@code sha256} (a digest computed from the presented certificate) is this pin; constant time. */
  public boolean matches(byte[] sha256) {
    return MessageDigest.isEqual(digest, sha256);
  }

  /** {@code AB:CD:...}, as openssl prints a fingerprint. */
  public static String format(byte[] digest) {
    return COLONS.formatHex(digest);
  }

  /** The normalized {@code AB:CD:...} form, as the effective configuration prints it. */
  @Override
  public String toString() {
    return format(digest);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Sha256Pin p && Arrays.equals(digest, p.digest);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(digest);
  }
}
