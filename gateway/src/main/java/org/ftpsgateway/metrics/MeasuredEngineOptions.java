package org.ftpsgateway.metrics;

import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.SslContext;
import io.vertx.core.net.JdkSSLEngineOptions;
import io.vertx.core.net.SSLEngineOptions;
import io.vertx.core.spi.tls.SslContextFactory;
import java.util.List;
import java.util.Set;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLException;
import javax.net.ssl.TrustManagerFactory;

/**
 * Vert.x TLS engine options that build the usual engines (JDK by default) and wrap each one so its CPU time is
 * measured by a {@link TlsCpuMeter}. Set on the {@code NetClientOptions}/{@code NetServerOptions} of one side.
 */
public final class MeasuredEngineOptions extends SSLEngineOptions {

  private final SSLEngineOptions delegate;
  private final TlsCpuMeter meter;

  public MeasuredEngineOptions(SSLEngineOptions delegate, TlsCpuMeter meter) {
    this.delegate = delegate;
    this.meter = meter;
  }

  public MeasuredEngineOptions(TlsCpuMeter meter) {
    this(new JdkSSLEngineOptions(), meter);
  }

  @Override
  public SSLEngineOptions copy() {
    return new MeasuredEngineOptions(delegate.copy(), meter);
  }

  @Override
  public boolean getUseWorkerThread() {
    return delegate.getUseWorkerThread();
  }

  @Override
  public SslContextFactory sslContextFactory() {
    SslContextFactory factory = delegate.sslContextFactory();
    return new SslContextFactory() {
      @Override
      public SslContextFactory useAlpn(boolean useAlpn) {
        factory.useAlpn(useAlpn);
        return this;
      }

      @Override
      public SslContextFactory clientAuth(ClientAuth clientAuth) {
        factory.clientAuth(clientAuth);
        return this;
      }

      @Override
      public SslContextFactory forClient(boolean forClient) {
        factory.forClient(forClient);
        return this;
      }

      @Override
      public SslContextFactory keyMananagerFactory(KeyManagerFactory kmf) {
        factory.keyMananagerFactory(kmf);
        return this;
      }

      @Override
      public SslContextFactory trustManagerFactory(TrustManagerFactory tmf) {
        factory.trustManagerFactory(tmf);
        return this;
      }

      @Override
      public SslContextFactory enabledCipherSuites(Set<String> enabledCipherSuites) {
        factory.enabledCipherSuites(enabledCipherSuites);
        return this;
      }

      @Override
      public SslContextFactory applicationProtocols(List<String> applicationProtocols) {
        factory.applicationProtocols(applicationProtocols);
        return this;
      }

      @Override
      public SslContextFactory serverName(String serverName) {
        factory.serverName(serverName);
        return this;
      }

      @Override
      public SslContext create() throws SSLException {
        SslContext context = factory.create();
        return meter.enabled() ? new MeasuringSslContext(context, meter) : context;
      }
    };
  }
}
