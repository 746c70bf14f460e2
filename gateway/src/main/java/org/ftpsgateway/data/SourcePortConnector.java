package org.ftpsgateway.data;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.internal.ContextInternal;
import io.vertx.core.internal.VertxInternal;
import io.vertx.core.net.NetSocket;
import io.vertx.core.net.SocketAddress;
import io.vertx.core.net.impl.NetSocketImpl;
import io.vertx.core.net.impl.VertxHandler;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.util.Locale;
import org.ftpsgateway.protocol.HostPort;

/**
 * Connects out from a fixed local port (classic active-mode FTP sends data from port 20, RFC 959 §3.2, and some
 * client firewalls only let that port in). Vert.x's {@code NetClientOptions} can set the local address but not
 * the local port, so this builds the connection with a Netty {@link Bootstrap} on the calling context's event loop
 * and wraps the channel into a Vert.x {@link NetSocket} the way {@code NetClientImpl.connected} does (Vert.x
 * 5.0.7), so the rest of the data path (TLS, relay, read gate) is the same as for any other connection.
 *
 * <p>Binding and connecting are two steps, so a bind failure (port below 1024 without root or
 * CAP_NET_BIND_SERVICE, port taken) is told apart from a client that cannot be reached. SO_REUSEADDR lets
 * consecutive and concurrent transfers bind the same port: Linux allows that as long as no socket listens on it
 * and each connection's address 4-tuple differs (the client's port differs per transfer).
 */
public final class SourcePortConnector {

  /** What went wrong binding the local port (as opposed to connecting); the message says what to do. */
  public static final class BindFailure extends Exception {
    BindFailure(String message) {
      super(message, null, false, false);
    }
  }

  private SourcePortConnector() {
  }

  /**
   * Connects to {@code target} from {@code localAddress:localPort}; completes on the calling context with a
   * socket whose reading is stopped ({@link ReadGate}). Fails with a {@link BindFailure} when the local port
   * cannot be bound. Must be called on a Vert.x context.
   */
  public static Future<NetSocket> connect(Vertx vertx, String localAddress, int localPort, HostPort target,
                                          int timeoutMillis) {
    ContextInternal context = (ContextInternal) vertx.getOrCreateContext();
    Promise<NetSocket> result = context.promise();
    context.nettyEventLoop().execute(() -> {
      Bootstrap bootstrap = new Bootstrap()
          .group(context.nettyEventLoop())
          .channelFactory(((VertxInternal) vertx).transport().channelFactory(false))
          .option(ChannelOption.SO_REUSEADDR, true)
          .option(ChannelOption.TCP_NODELAY, true)
          .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, timeoutMillis)
          // nothing is read until the Vert.x handler is in place (no byte can slip past it)
          .option(ChannelOption.AUTO_READ, false)
          .handler(new ChannelInitializer<Channel>() {
            @Override
            protected void initChannel(Channel ch) {
              // the Vert.x handler is added once connected, as NetClientImpl does
            }
          });
      ChannelFuture registered = bootstrap.register();
      registered.addListener(r -> {
        if (!r.isSuccess()) {
          result.tryFail(r.cause());
          return;
        }
        Channel channel = registered.channel();
        channel.bind(new InetSocketAddress(localAddress, localPort)).addListener(b -> {
          if (!b.isSuccess()) {
            channel.close();
            result.tryFail(new BindFailure(bindFailureText(localAddress, localPort, b.cause())));
            return;
          }
          channel.connect(new InetSocketAddress(target.host(), target.port())).addListener(c -> {
            if (!c.isSuccess()) {
              channel.close();
              result.tryFail(c.cause());
              return;
            }
            wrap(context, channel, target, result);
          });
        });
      });
    });
    return result.future();
  }

  /** Installs the Vert.x connection handler; its {@code NetSocket} comes out of the handler-added callback. */
  private static void wrap(ContextInternal context, Channel channel, HostPort target, Promise<NetSocket> result) {
    VertxHandler<NetSocketImpl> handler = VertxHandler.create(ctx -> new NetSocketImpl(context, ctx,
        SocketAddress.inetSocketAddress(target.port(), target.host()), null, null, null, null, false));
    handler.addHandler(socket -> {
      if (!result.tryComplete(socket)) {
        socket.close();
      }
    });
    channel.pipeline().addLast("handler", handler);
  }

  static String bindFailureText(String localAddress, int localPort, Throwable cause) {
    String detail = cause.getMessage() != null ? cause.getMessage() : cause.getClass().getSimpleName();
    boolean denied = detail.toLowerCase(Locale.ROOT).contains("permission denied")
        || (cause instanceof BindException && localPort < 1024 && !detail.toLowerCase(Locale.ROOT)
            .contains("in use"));
    if (denied && localPort < 1024) {
      return "cannot bind source port " + localPort + " on " + localAddress + ": ports below 1024 need root or"
          + " CAP_NET_BIND_SERVICE (" + detail + ")";
    }
    if (detail.toLowerCase(Locale.ROOT).contains("in use") && localPort >= 1024) {
      // seen in practice: a port in the ephemeral range (net.ipv4.ip_local_port_range) is taken at random by the
      // outgoing connections of other programs, which do not set SO_REUSEADDR
      return "cannot bind source port " + localPort + " on " + localAddress + ": " + detail + " (another socket"
          + " holds it; choose a port outside the ephemeral range, e.g. 20)";
    }
    return "cannot bind source port " + localPort + " on " + localAddress + ": " + detail;
  }
}
