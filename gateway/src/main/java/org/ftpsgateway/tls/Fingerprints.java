package org.ftpsgateway.tls;

import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.cert.X509Certificate;
import org.ftpsgateway.config.Sha256Pin;

/** SHA-256 fingerprints of certificates and public keys (the pins they are compared with: {@link Sha256Pin}). */
public final class Fingerprints {

  private Fingerprints() {
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
    return Sha256Pin.format(digest);
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
