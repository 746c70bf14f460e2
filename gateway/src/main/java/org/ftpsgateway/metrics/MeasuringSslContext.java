package org.ftpsgateway.metrics;

import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.ssl.ApplicationProtocolNegotiator;
import io.netty.handler.ssl.SslContext;
import java.util.List;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLSessionContext;

/** A Netty {@link SslContext} whose engines are {@link MeasuringSslEngine}s. */
final class MeasuringSslContext extends SslContext {

  private final SslContext context;
  private final TlsCpuMeter meter;

  MeasuringSslContext(SslContext context, TlsCpuMeter meter) {
    this.context = context;
    this.meter = meter;
  }

  @Override
  public boolean isClient() {
    return context.isClient();
  }

  @Override
  public List<String> cipherSuites() {
    return context.cipherSuites();
  }

  @Override
  @SuppressWarnings("deprecation")
  public ApplicationProtocolNegotiator applicationProtocolNegotiator() {
    return context.applicationProtocolNegotiator();
  }

  @Override
  public SSLEngine newEngine(ByteBufAllocator alloc) {
    return new MeasuringSslEngine(context.newEngine(alloc), meter);
  }

  @Override
  public SSLEngine newEngine(ByteBufAllocator alloc, String peerHost, int peerPort) {
    return new MeasuringSslEngine(context.newEngine(alloc, peerHost, peerPort), meter);
  }

  @Override
  public SSLSessionContext sessionContext() {
    return context.sessionContext();
  }
}
