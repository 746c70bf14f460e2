package org.ftpsgateway.tls;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.net.InetAddress;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/** A self-signed EC P-256 certificate made at run time with BouncyCastle, and its key, in the forms TLS stacks load. */
public record GeneratedCertificate(KeyPair keyPair, X509Certificate certificate) {

  /**
   * Generates a certificate for {@code names}: each entry is an IP literal (becomes an IP SAN) or a DNS name.
   * The first name is also the subject CN.
   */
  public static GeneratedCertificate generate(List<String> names, Duration validity) {
    Instant now = Instant.now();
    return generate(names, now.minus(Duration.ofHours(1)), now.plus(validity));
  }

  /** Like {@link #generate(List, Duration)} with explicit validity dates (tests make expired ones). */
  public static GeneratedCertificate generate(List<String> names, Instant notBefore, Instant notAfter) {
    try {
      KeyPairGenerator kpg = KeyPairGenerator.getInstance("EC");
      kpg.initialize(new ECGenParameterSpec("secp256r1"), new SecureRandom());
      KeyPair keyPair = kpg.generateKeyPair();
      X500Name subject = new X500Name("CN=" + names.get(0).replaceAll("[,+=\"\\\\<>;]", "_") + ",O=ftps-gateway");
      X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(subject,
          new BigInteger(127, new SecureRandom()).add(BigInteger.ONE),
          Date.from(notBefore), Date.from(notAfter), subject, keyPair.getPublic());
      List<GeneralName> sans = new ArrayList<>();
      for (String name : names) {
        boolean ip = name.indexOf(':') >= 0 || name.matches("\\d+\\.\\d+\\.\\d+\\.\\d+");
        sans.add(new GeneralName(ip ? GeneralName.iPAddress : GeneralName.dNSName,
            ip ? InetAddress.getByName(name).getHostAddress() : name));
      }
      builder.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(sans.toArray(GeneralName[]::new)));
      builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
      builder.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature));
      builder.addExtension(Extension.extendedKeyUsage, false,
          new ExtendedKeyUsage(new KeyPurposeId[] {KeyPurposeId.id_kp_serverAuth, KeyPurposeId.id_kp_clientAuth}));
      var signer = new JcaContentSignerBuilder("SHA256withECDSA").build(keyPair.getPrivate());
      X509Certificate cert = new JcaX509CertificateConverter().getCertificate(builder.build(signer));
      return new GeneratedCertificate(keyPair, cert);
    } catch (GeneralSecurityException | IOException | org.bouncycastle.operator.OperatorCreationException e) {
      throw new IllegalStateException("cannot generate a certificate: " + e.getMessage(), e);
    }
  }

  public String certificatePem() {
    return pem(certificate);
  }

  /** PKCS#8 ("PRIVATE KEY"), the form every TLS library reads; BouncyCastle's default SEC1 form would lose the curve. */
  public String privateKeyPem() {
    try {
      return pem(new org.bouncycastle.openssl.jcajce.JcaPKCS8Generator(keyPair.getPrivate(), null).generate());
    } catch (org.bouncycastle.util.io.pem.PemGenerationException e) {
      throw new IllegalStateException("cannot encode the private key: " + e.getMessage(), e);
    }
  }

  /** A PKCS#12 key store holding the key and certificate under {@code alias}. */
  public byte[] pkcs12(String alias, char[] password) {
    try {
      KeyStore ks = KeyStore.getInstance("PKCS12");
      ks.load(null, null);
      ks.setKeyEntry(alias, keyPair.getPrivate(), password, new Certificate[] {certificate});
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      ks.store(out, password);
      return out.toByteArray();
    } catch (GeneralSecurityException | IOException e) {
      throw new IllegalStateException("cannot build a PKCS#12 store: " + e.getMessage(), e);
    }
  }

  /** SHA-256 fingerprint of the certificate, colon-separated upper-case hex as {@code openssl x509 -fingerprint} prints. */
  public String sha256Fingerprint() {
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(certificate.getEncoded());
      return HexFormat.ofDelimiter(":").withUpperCase().formatHex(digest).toUpperCase(Locale.ROOT);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  private static String pem(Object o) {
    StringWriter sw = new StringWriter();
    try (JcaPEMWriter w = new JcaPEMWriter(sw)) {
      w.writeObject(o);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return sw.toString();
  }
}
