package org.ftpsgateway.support;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import javax.net.ServerSocketFactory;
import org.ftpsgateway.config.DataMode;
import org.ftpsgateway.config.GatewayConfig;
import org.ftpsgateway.config.ListenerConfig;
import org.ftpsgateway.config.PortRange;
import org.ftpsgateway.config.UpstreamConfig;

/** Active-mode settings for a fixture's config, and a client-side socket factory that records who connected. */
public final class ActiveMode {

  private ActiveMode() {
  }

  /** {@code upstream.dataMode: active}, on {@code activePorts} (null = any port). */
  public static GatewayConfig activeUpstream(GatewayConfig c, PortRange activePorts) {
    UpstreamConfig u = c.upstream();
    return new GatewayConfig(c.listeners(),
        new UpstreamConfig(u.host(), u.port(), u.tls(), u.serverName(), u.caFile(), u.protocols(), DataMode.ACTIVE,
            u.sslEngine(), activePorts),
        c.timeouts(), c.metrics());
  }

  /** {@code listeners[0].activeSourcePort}. */
  public static GatewayConfig withSourcePort(GatewayConfig c, int sourcePort) {
    ListenerConfig l = c.listeners().get(0);
    ListenerConfig changed = new ListenerConfig(l.name(), l.host(), l.port(), l.tls(), l.passivePorts(),
        l.passiveAddress(), l.allowForeignActive(), l.clientTls(), sourcePort);
    return new GatewayConfig(List.of(changed), c.upstream(), c.timeouts(), c.metrics());
  }

  /**
   * A source port nobody holds right now, below Linux's ephemeral range: there any program's outgoing connection may
   * take a port at random (and block the gateway's bind), so a port from there would be flaky.
   */
  public static int freeSourcePort() {
    return FreePorts.range(1).first();
  }

  /** Accepts the gateway's active-mode data connections like Commons Net would, and notes their remote ports. */
  public static final class RecordingServerSockets extends ServerSocketFactory {
    public final List<Integer> remotePorts = new CopyOnWriteArrayList<>();

    @Override
    public ServerSocket createServerSocket() throws IOException {
      return new Recording();
    }

    @Override
    public ServerSocket createServerSocket(int port) throws IOException {
      return bound(new Recording(), port, 50, null);
    }

    @Override
    public ServerSocket createServerSocket(int port, int backlog) throws IOException {
      return bound(new Recording(), port, backlog, null);
    }

    @Override
    public ServerSocket createServerSocket(int port, int backlog, InetAddress address) throws IOException {
      return bound(new Recording(), port, backlog, address);
    }

    private static ServerSocket bound(ServerSocket s, int port, int backlog, InetAddress address) throws IOException {
      s.bind(new java.net.InetSocketAddress(address, port), backlog);
      return s;
    }

    private final class Recording extends ServerSocket {
      Recording() throws IOException {
        super();
      }

      @Override
      public Socket accept() throws IOException {
        Socket s = super.accept();
        remotePorts.add(s.getPort());
        return s;
      }
    }
  }
}
