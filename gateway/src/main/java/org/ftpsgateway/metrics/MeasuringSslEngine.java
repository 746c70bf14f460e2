package org.ftpsgateway.metrics;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.function.BiFunction;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult;
import javax.net.ssl.SSLEngineResult.HandshakeStatus;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSession;

/** An {@link SSLEngine} that charges the CPU time of every wrap, unwrap and handshake task to a {@link TlsCpuMeter}. */
final class MeasuringSslEngine extends SSLEngine {

  private final SSLEngine engine;
  private final TlsCpuMeter meter;
  private boolean handshakeDone;
  private int recordCalls;

  MeasuringSslEngine(SSLEngine engine, TlsCpuMeter meter) {
    super(engine.getPeerHost(), engine.getPeerPort());
    this.engine = engine;
    this.meter = meter;
  }

  private SSLEngineResult measured(SSLEngineResult result, boolean handshake, long start) {
    if (handshake) {
      meter.add(true, start);
    } else {
      meter.addNanos(false, (meter.now() - start) * TlsCpuMeter.RECORD_SAMPLE_EVERY);
    }
    return finished(result);
  }

  private SSLEngineResult finished(SSLEngineResult result) {
    if (result.getHandshakeStatus() == HandshakeStatus.FINISHED) {
      handshakeDone = true;
    }
    return result;
  }

  /** Handshake calls are all measured; record calls one in {@link TlsCpuMeter#RECORD_SAMPLE_EVERY}. */
  private boolean sampled(boolean handshake) {
    return handshake || ++recordCalls % TlsCpuMeter.RECORD_SAMPLE_EVERY == 0;
  }

  @Override
  public SSLEngineResult wrap(ByteBuffer src, ByteBuffer dst) throws SSLException {
    boolean hs = !handshakeDone;
    if (!sampled(hs)) {
      return finished(engine.wrap(src, dst));
    }
    long start = meter.now();
    return measured(engine.wrap(src, dst), hs, start);
  }

  @Override
  public SSLEngineResult wrap(ByteBuffer[] srcs, ByteBuffer dst) throws SSLException {
    boolean hs = !handshakeDone;
    if (!sampled(hs)) {
      return finished(engine.wrap(srcs, dst));
    }
    long start = meter.now();
    return measured(engine.wrap(srcs, dst), hs, start);
  }

  @Override
  public SSLEngineResult wrap(ByteBuffer[] srcs, int offset, int length, ByteBuffer dst) throws SSLException {
    boolean hs = !handshakeDone;
    if (!sampled(hs)) {
      return finished(engine.wrap(srcs, offset, length, dst));
    }
    long start = meter.now();
    return measured(engine.wrap(srcs, offset, length, dst), hs, start);
  }

  @Override
  public SSLEngineResult unwrap(ByteBuffer src, ByteBuffer dst) throws SSLException {
    boolean hs = !handshakeDone;
    if (!sampled(hs)) {
      return finished(engine.unwrap(src, dst));
    }
    long start = meter.now();
    return measured(engine.unwrap(src, dst), hs, start);
  }

  @Override
  public SSLEngineResult unwrap(ByteBuffer src, ByteBuffer[] dsts) throws SSLException {
    boolean hs = !handshakeDone;
    if (!sampled(hs)) {
      return finished(engine.unwrap(src, dsts));
    }
    long start = meter.now();
    return measured(engine.unwrap(src, dsts), hs, start);
  }

  @Override
  public SSLEngineResult unwrap(ByteBuffer src, ByteBuffer[] dsts, int offset, int length) throws SSLException {
    boolean hs = !handshakeDone;
    if (!sampled(hs)) {
      return finished(engine.unwrap(src, dsts, offset, length));
    }
    long start = meter.now();
    return measured(engine.unwrap(src, dsts, offset, length), hs, start);
  }

  @Override
  public Runnable getDelegatedTask() {
    Runnable task = engine.getDelegatedTask();
    if (task == null) {
      return null;
    }
    return () -> {
      long start = meter.now();
      try {
        task.run();
      } finally {
        meter.add(true, start);
      }
    };
  }

  @Override
  public void closeInbound() throws SSLException {
    engine.closeInbound();
  }

  @Override
  public boolean isInboundDone() {
    return engine.isInboundDone();
  }

  @Override
  public void closeOutbound() {
    engine.closeOutbound();
  }

  @Override
  public boolean isOutboundDone() {
    return engine.isOutboundDone();
  }

  @Override
  public String[] getSupportedCipherSuites() {
    return engine.getSupportedCipherSuites();
  }

  @Override
  public String[] getEnabledCipherSuites() {
    return engine.getEnabledCipherSuites();
  }

  @Override
  public void setEnabledCipherSuites(String[] suites) {
    engine.setEnabledCipherSuites(suites);
  }

  @Override
  public String[] getSupportedProtocols() {
    return engine.getSupportedProtocols();
  }

  @Override
  public String[] getEnabledProtocols() {
    return engine.getEnabledProtocols();
  }

  @Override
  public void setEnabledProtocols(String[] protocols) {
    engine.setEnabledProtocols(protocols);
  }

  @Override
  public SSLSession getSession() {
    return engine.getSession();
  }

  @Override
  public SSLSession getHandshakeSession() {
    return engine.getHandshakeSession();
  }

  @Override
  public void beginHandshake() throws SSLException {
    long start = meter.now();
    try {
      engine.beginHandshake();
    } finally {
      meter.add(true, start);
    }
  }

  @Override
  public HandshakeStatus getHandshakeStatus() {
    return engine.getHandshakeStatus();
  }

  @Override
  public void setUseClientMode(boolean mode) {
    engine.setUseClientMode(mode);
  }

  @Override
  public boolean getUseClientMode() {
    return engine.getUseClientMode();
  }

  @Override
  public void setNeedClientAuth(boolean need) {
    engine.setNeedClientAuth(need);
  }

  @Override
  public boolean getNeedClientAuth() {
    return engine.getNeedClientAuth();
  }

  @Override
  public void setWantClientAuth(boolean want) {
    engine.setWantClientAuth(want);
  }

  @Override
  public boolean getWantClientAuth() {
    return engine.getWantClientAuth();
  }

  @Override
  public void setEnableSessionCreation(boolean flag) {
    engine.setEnableSessionCreation(flag);
  }

  @Override
  public boolean getEnableSessionCreation() {
    return engine.getEnableSessionCreation();
  }

  @Override
  public SSLParameters getSSLParameters() {
    return engine.getSSLParameters();
  }

  @Override
  public void setSSLParameters(SSLParameters params) {
    engine.setSSLParameters(params);
  }

  @Override
  public String getApplicationProtocol() {
    return engine.getApplicationProtocol();
  }

  @Override
  public String getHandshakeApplicationProtocol() {
    return engine.getHandshakeApplicationProtocol();
  }

  @Override
  public void setHandshakeApplicationProtocolSelector(BiFunction<SSLEngine, List<String>, String> selector) {
    engine.setHandshakeApplicationProtocolSelector(selector);
  }

  @Override
  public BiFunction<SSLEngine, List<String>, String> getHandshakeApplicationProtocolSelector() {
    return engine.getHandshakeApplicationProtocolSelector();
  }
}
