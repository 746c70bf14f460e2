package org.ftpsgateway.support;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.ftpsgateway.protocol.ProxyProtocol;

/**
 * A TCP load balancer in the shape of HAProxy with {@code send-proxy} / {@code send-proxy-v2} and a port range
 * forwarded port for port: it listens on {@code bindHost} at each given port (the control port and the passive
 * range) and forwards every connection to the same port of {@code targetHost}, starting it with a PROXY protocol
 * header that names the client and the address the client reached. With {@code coalesce} the header goes out in
 * one write with the client's first bytes when the client speaks first within a moment (as a balancer may forward
 * them), otherwise on its own.
 */
public final class ProxyBalancer implements AutoCloseable {

  private final List<ServerSocket> servers = new ArrayList<>();
  private final List<Socket> sockets = new CopyOnWriteArrayList<>();
  private final List<InetSocketAddress> clients = new CopyOnWriteArrayList<>();

  public ProxyBalancer(String bindHost, String targetHost, List<Integer> ports, ProxyProtocol.Version version,
                       boolean coalesce) throws IOException {
    for (int port : ports) {
      ServerSocket server = new ServerSocket(port, 50, InetAddress.getByName(bindHost));
      servers.add(server);
      Thread t = new Thread(() -> {
        while (!server.isClosed()) {
          try {
            Socket s = server.accept();
            sockets.add(s);
            Thread h = new Thread(() -> forward(s, targetHost, version, coalesce));
            h.setDaemon(true);
            h.start();
          } catch (IOException e) {
            return;
          }
        }
      }, "balancer-" + port);
      t.setDaemon(true);
      t.start();
    }
  }

  /** The client addresses of every connection forwarded so far. */
  public List<InetSocketAddress> clients() {
    return clients;
  }

  private void forward(Socket client, String targetHost, ProxyProtocol.Version version, boolean coalesce) {
    try {
      InetSocketAddress source = (InetSocketAddress) client.getRemoteSocketAddress();
      InetSocketAddress reached = (InetSocketAddress) client.getLocalSocketAddress();
      clients.add(source);
      Socket target = new Socket(targetHost, reached.getPort());
      sockets.add(target);
      byte[] header = ProxyProtocol.encode(version, source, reached);
      byte[] first = new byte[0];
      if (coalesce) {
        // the client's first bytes, if it speaks first (TLS ClientHello, upload data)
        client.setSoTimeout(300);
        byte[] buffer = new byte[16384];
        try {
          int n = client.getInputStream().read(buffer);
          first = n > 0 ? Arrays.copyOf(buffer, n) : first;
        } catch (SocketTimeoutException quiet) {
          // the client waits for the server (a download): the header goes alone
        }
        client.setSoTimeout(0);
      }
      byte[] both = Arrays.copyOf(header, header.length + first.length);
      System.arraycopy(first, 0, both, header.length, first.length);
      target.getOutputStream().write(both);
      target.getOutputStream().flush();
      pump(target.getInputStream(), client.getOutputStream(), client, target);
      pump(client.getInputStream(), target.getOutputStream(), target, client);
    } catch (IOException e) {
      closeQuietly(client);
    }
  }

  /** Copies one direction; at its end, half-closes the receiving side (so FIN travels on), as a TCP proxy does. */
  private static void pump(InputStream from, OutputStream to, Socket receiver, Socket sender) {
    Thread t = new Thread(() -> {
      try {
        from.transferTo(to);
        to.flush();
        receiver.shutdownOutput();
      } catch (IOException e) {
        closeQuietly(receiver);
        closeQuietly(sender);
      }
    });
    t.setDaemon(true);
    t.start();
  }

  private static void closeQuietly(Socket s) {
    try {
      s.close();
    } catch (IOException e) {
      // already gone: nothing to release
    }
  }

  @Override
  public void close() throws IOException {
    for (ServerSocket s : servers) {
      s.close();
    }
    for (Socket s : sockets) {
      closeQuietly(s);
    }
  }
}
