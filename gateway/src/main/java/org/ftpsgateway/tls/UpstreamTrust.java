package org.ftpsgateway.tls;

import java.net.Socket;
import java.security.cert.CertificateException;
import java.security.cert.CertificateExpiredException;
import java.security.cert.CertificateNotYetValidException;
import java.security.cert.X509Certificate;
import java.util.List;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedTrustManager;
import org.ftpsgateway.config.Sha256Pin;

/**
 * Decides whether an upstream certificate chain is trusted, for one client session. Three policies, by config:
 * the CA trust store (default; the host name is checked in the handshake through the engine's endpoint
 * identification and again, strictly, by {@link ServerIdentity}); pins (the leaf certificate or its public key must
 * match one of the SHA-256 fingerprints, its validity dates must hold; no CA needed, for self-signed servers); or
 * nothing at all ({@code insecureSkipVerify}). The chain last presented is remembered so that a refusal can be
 * logged with the certificate's subject, issuer and fingerprint.
 */
public final class UpstreamTrust extends X509ExtendedTrustManager {

  private final X509ExtendedTrustManager caTrust;
  private final List<Sha256Pin> pins;
  private final boolean insecure;
  private volatile X509Certificate presented;

  UpstreamTrust(X509ExtendedTrustManager caTrust, List<Sha256Pin> pins, boolean insecure) {
    this.caTrust = caTrust;
    this.pins = pins;
    this.insecure = insecure;
  }

  /** The leaf certificate of the chain last presented by the upstream, or null. */
  public X509Certificate presented() {
    return presented;
  }

  @Override
  public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
      throws CertificateException {
    check(chain, () -> caTrust.checkServerTrusted(chain, authType, engine));
  }

  @Override
  public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket)
      throws CertificateException {
    check(chain, () -> caTrust.checkServerTrusted(chain, authType, socket));
  }

  @Override
  public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
    check(chain, () -> caTrust.checkServerTrusted(chain, authType));
  }

  private interface CaCheck {
    void run() throws CertificateException;
  }

  private void check(X509Certificate[] chain, CaCheck caCheck) throws CertificateException {
    if (chain == null || chain.length == 0) {
      throw new CertificateException("the server presented no certificate");
    }
    presented = chain[0];
    if (insecure) {
      return;
    }
    X509Certificate leaf = chain[0];
    if (pins.isEmpty()) {
      caCheck.run();
      // PKIX does not check the dates of a trust anchor: a self-signed certificate given as caFile would pass
      // expired; an auditor expects an expired server certificate refused whatever vouches for it
      checkValidity(leaf);
      return;
    }
    byte[] certificate = Fingerprints.certificate(leaf);
    byte[] publicKey = Fingerprints.publicKey(leaf);
    boolean pinned = pins.stream().anyMatch(p -> p.matches(certificate) || p.matches(publicKey));
    if (!pinned) {
      throw new CertificateException("pin mismatch: certificate sha256 " + Fingerprints.format(certificate)
          + " (public key sha256 " + Fingerprints.format(publicKey) + ") matches no upstream.pinSha256");
    }
    checkValidity(leaf);
  }

  private static void checkValidity(X509Certificate leaf) throws CertificateException {
    try {
      leaf.checkValidity();
    } catch (CertificateExpiredException e) {
      throw new CertificateException("certificate expired on " + leaf.getNotAfter().toInstant(), e);
    } catch (CertificateNotYetValidException e) {
      throw new CertificateException("certificate not valid before " + leaf.getNotBefore().toInstant(), e);
    }
  }

  @Override
  public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket)
      throws CertificateException {
    throw new CertificateException("the gateway is the TLS client towards the upstream");
  }

  @Override
  public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
      throws CertificateException {
    throw new CertificateException("the gateway is the TLS client towards the upstream");
  }

  @Override
  public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
    throw new CertificateException("the gateway is the TLS client towards the upstream");
  }

  @Override
  public X509Certificate[] getAcceptedIssuers() {
    return caTrust.getAcceptedIssuers();
  }
}
