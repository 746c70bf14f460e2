package org.ftpsgateway.tls;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.cert.Certificate;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.MGF1ParameterSpec;
import java.security.spec.PSSParameterSpec;
import java.util.Collection;
import java.util.Collections;
import javax.net.ssl.KeyManagerFactory;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;

/**
 * A certificate chain and its private key, from PEM files (PKCS#8, PKCS#1 RSA or SEC1 EC keys, as openssl and
 * cert-manager write them) or a PKCS#12 key store, as a {@link KeyManagerFactory}.
 */
public final class KeyMaterial {

  private static final char[] IN_MEMORY_PASSWORD = "in-memory".toCharArray();

  private KeyMaterial() {
  }

  /** From {@code certFile} + {@code keyFile}, or else {@code keystore} + {@code password}. */
  public static KeyManagerFactory keyManagers(String certFile, String keyFile, String keystore, String password) {
    try {
      KeyStore ks;
      char[] pw;
      if (certFile != null) {
        ks = KeyStore.getInstance("PKCS12");
        ks.load(null, null);
        Collection<? extends Certificate> chain = certificates(certFile);
        ks.setKeyEntry("key", privateKey(Path.of(keyFile)), IN_MEMORY_PASSWORD, chain.toArray(new Certificate[0]));
        pw = IN_MEMORY_PASSWORD;
      } else {
        ks = KeyStore.getInstance("PKCS12");
        pw = password == null ? new char[0] : password.toCharArray();
        try (InputStream in = Files.newInputStream(Path.of(keystore))) {
          ks.load(in, pw);
        }
      }
      requireMatchingKeys(ks, pw);
      KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
      kmf.init(ks, pw);
      return kmf;
    } catch (Exception e) {
      String m = e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
      throw new IllegalArgumentException("cannot load the key material: " + m.replace('\n', ' '), e);
    }
  }

  /**
   * Every private key must belong to the certificate it is served with: neither the key store nor the TLS context
   * checks this, and a mismatched pair would only fail in each handshake. Proven by signing a challenge with the key
   * and verifying it with the certificate's public key, which works for every key type.
   */
  private static void requireMatchingKeys(KeyStore ks, char[] pw) throws GeneralSecurityException {
    for (String alias : Collections.list(ks.aliases())) {
      if (!ks.isKeyEntry(alias) || !(ks.getKey(alias, pw) instanceof PrivateKey key)) {
        continue;
      }
      Certificate cert = ks.getCertificate(alias);
      if (cert == null || !signs(key, cert.getPublicKey())) {
        String subject = cert instanceof X509Certificate x ? x.getSubjectX500Principal().getName() : "?";
        throw new IllegalArgumentException("the private key does not match the certificate (" + subject + ")");
      }
    }
  }

  private static boolean signs(PrivateKey key, PublicKey publicKey) throws GeneralSecurityException {
    String algorithm = switch (key.getAlgorithm()) {
      case "RSA" -> "SHA256withRSA";
      case "EC" -> "SHA256withECDSA";
      case "DSA" -> "SHA256withDSA";
      case "RSASSA-PSS" -> "RSASSA-PSS";
      default -> key.getAlgorithm(); // Ed25519, Ed448, EdDSA: the key algorithm is the signature algorithm
    };
    if (!key.getAlgorithm().equals(publicKey.getAlgorithm())
        && !(key.getAlgorithm().startsWith("Ed") && publicKey.getAlgorithm().startsWith("Ed"))) {
      return false;
    }
    byte[] challenge = "ftps-gateway key check".getBytes(StandardCharsets.US_ASCII);
    Signature signer = signature(algorithm);
    signer.initSign(key);
    signer.update(challenge);
    byte[] signed = signer.sign();
    Signature verifier = signature(algorithm);
    verifier.initVerify(publicKey);
    verifier.update(challenge);
    return verifier.verify(signed);
  }

  private static Signature signature(String algorithm) throws GeneralSecurityException {
    Signature s = Signature.getInstance(algorithm);
    if (algorithm.equals("RSASSA-PSS")) {
      s.setParameter(new PSSParameterSpec("SHA-256", "MGF1", MGF1ParameterSpec.SHA256, 32, 1));
    }
    return s;
  }

  /**
   * The certificates of a PEM file. A file without any {@code BEGIN CERTIFICATE} block (a key, some text) is refused
   * with a sentence that says so, rather than the parser's "No certificate data found" or "signed fields invalid".
   */
  public static Collection<? extends Certificate> certificates(String file) throws IOException, CertificateException {
    byte[] pem = Files.readAllBytes(Path.of(file));
    if (!new String(pem, StandardCharsets.ISO_8859_1).contains("-----BEGIN CERTIFICATE-----")) {
      throw new IllegalArgumentException(file + " holds no PEM certificate");
    }
    Collection<? extends Certificate> certs = CertificateFactory.getInstance("X.509")
        .generateCertificates(new ByteArrayInputStream(pem));
    if (certs.isEmpty()) {
      throw new IllegalArgumentException(file + " holds no PEM certificate");
    }
    return certs;
  }

  /** Reads the first private key in a PEM file. */
  public static PrivateKey privateKey(Path keyFile) throws Exception {
    try (Reader r = Files.newBufferedReader(keyFile, StandardCharsets.US_ASCII);
         PEMParser parser = new PEMParser(r)) {
      JcaPEMKeyConverter converter = new JcaPEMKeyConverter();
      for (Object o = parser.readObject(); o != null; o = parser.readObject()) {
        if (o instanceof PEMKeyPair pair) {
          return converter.getPrivateKey(pair.getPrivateKeyInfo());
        }
        if (o instanceof PrivateKeyInfo info) {
          return converter.getPrivateKey(info);
        }
      }
    }
    throw new IllegalArgumentException(keyFile + " holds no unencrypted PEM private key");
  }
}
