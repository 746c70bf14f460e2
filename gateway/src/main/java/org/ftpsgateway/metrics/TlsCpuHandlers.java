package org.ftpsgateway.metrics;

import io.netty.channel.Channel;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.ChannelPromise;
import io.netty.handler.ssl.SslHandler;
import io.vertx.core.internal.net.NetSocketInternal;
import io.vertx.core.net.NetSocket;

/**
 * Measures the CPU time of a channel's {@link SslHandler} from the pipeline, for engines that must not be wrapped
 * (Netty drives its OpenSSL engine natively only when it sees the engine itself). Two handlers sit around the
 * SslHandler: the outer one (socket side) times each inbound read and the socket I/O of each flush, the inner one
 * (application side) times each flush and the application's handling of each decoded message. The TLS work is
 * what remains: for reads, outer time minus the application's time; for flushes, inner time minus socket I/O.
 * Installed when the SslHandler is added, work before the handshake completed is the "handshake" phase (the
 * client's first flight, sent while the handler is added, is timed by the caller). Record-phase events are
 * sampled (one in {@link TlsCpuMeter#RECORD_SAMPLE_EVERY}, counted that many times): see there why.
 */
public final class TlsCpuHandlers {

  private TlsCpuHandlers() {
  }

  /** Installs the pair around the socket's SslHandler (if not there yet), e.g. once the handshake is done. */
  public static void install(NetSocket socket, TlsCpuMeter meter) {
    if (!meter.enabled() || !(socket instanceof NetSocketInternal internal)) {
      return;
    }
    Channel channel = internal.channelHandlerContext().channel();
    ChannelPipeline pipeline = channel.pipeline();
    String sslName = null;
    SslHandler ssl = null;
    for (var entry : pipeline) {
      if (entry.getValue() instanceof SslHandler h) {
        sslName = entry.getKey();
        ssl = h;
      }
    }
    if (sslName != null) {
      install(pipeline, sslName, ssl, meter);
    }
  }

  /**
   * Installs the pair around {@code ssl} (named {@code sslName} in {@code pipeline}), typically right after it was
   * added: work done before its handshake completed counts as phase "handshake", the rest as "record".
   */
  public static void install(ChannelPipeline pipeline, String sslName, SslHandler ssl, TlsCpuMeter meter) {
    if (!meter.enabled() || pipeline.get(Inner.class) != null) {
      return;
    }
    Inner inner = new Inner(meter, ssl);
    Outer outer = new Outer(meter, inner, ssl);
    inner.outer = outer;
    pipeline.addAfter(sslName, "ftpgw-tls-cpu-inner", inner);
    pipeline.addBefore(sslName, "ftpgw-tls-cpu-outer", outer);
  }

  private static boolean handshaking(SslHandler ssl) {
    return !ssl.handshakeFuture().isDone();
  }

  /** Socket side of the SslHandler. */
  static final class Outer extends ChannelDuplexHandler {
    private final TlsCpuMeter meter;
    private final Inner inner;
    private final SslHandler ssl;
    private int recordReads;
    /** Socket I/O is timed only inside a sampled flush. */
    boolean measuringIo;
    long ioNanos;

    Outer(TlsCpuMeter meter, Inner inner, SslHandler ssl) {
      this.meter = meter;
      this.inner = inner;
      this.ssl = ssl;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      boolean handshake = handshaking(ssl);
      if (!handshake && ++recordReads % TlsCpuMeter.RECORD_SAMPLE_EVERY != 0) {
        ctx.fireChannelRead(msg);
        return;
      }
      inner.measuringApp = true;
      long appBefore = inner.appNanos;
      long start = meter.now();
      try {
        ctx.fireChannelRead(msg);
      } finally {
        long spent = meter.now() - start;
        inner.measuringApp = false;
        long tls = spent - (inner.appNanos - appBefore);
        meter.addNanos(handshake, handshake ? tls : tls * TlsCpuMeter.RECORD_SAMPLE_EVERY);
      }
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
      if (!measuringIo) {
        ctx.write(msg, promise);
        return;
      }
      long start = meter.now();
      ctx.write(msg, promise);
      ioNanos += meter.now() - start;
    }

    @Override
    public void flush(ChannelHandlerContext ctx) {
      if (!measuringIo) {
        ctx.flush();
        return;
      }
      long start = meter.now();
      ctx.flush();
      ioNanos += meter.now() - start;
    }
  }

  /** Application side of the SslHandler. */
  static final class Inner extends ChannelDuplexHandler {
    private final TlsCpuMeter meter;
    private final SslHandler ssl;
    private int recordFlushes;
    Outer outer;
    /** The application's share is timed only inside a sampled read. */
    boolean measuringApp;
    long appNanos;

    Inner(TlsCpuMeter meter, SslHandler ssl) {
      this.meter = meter;
      this.ssl = ssl;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      if (!measuringApp) {
        ctx.fireChannelRead(msg);
        return;
      }
      long start = meter.now();
      ctx.fireChannelRead(msg);
      appNanos += meter.now() - start;
    }

    @Override
    public void flush(ChannelHandlerContext ctx) {
      boolean handshake = handshaking(ssl);
      if (!handshake && ++recordFlushes % TlsCpuMeter.RECORD_SAMPLE_EVERY != 0) {
        ctx.flush();
        return;
      }
      outer.measuringIo = true;
      long ioBefore = outer.ioNanos;
      long start = meter.now();
      try {
        ctx.flush();
      } finally {
        long spent = meter.now() - start;
        outer.measuringIo = false;
        long tls = spent - (outer.ioNanos - ioBefore);
        meter.addNanos(handshake, handshake ? tls : tls * TlsCpuMeter.RECORD_SAMPLE_EVERY);
      }
    }
  }
}
