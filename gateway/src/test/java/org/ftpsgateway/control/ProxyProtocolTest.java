package org.ftpsgateway.control;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import javax.net.SocketFactory;
import org.apache.commons.net.ftp.FTPClient;
import org.apache.commons.net.ftp.FTPConnectionClosedException;
import org.apache.commons.net.ftp.FTPSClient;
import org.apache.commons.net.util.TrustManagerUtils;
import org.ftpsgateway.config.ClientTlsConfig;
import org.ftpsgateway.config.GatewayConfig;
import org.ftpsgateway.config.ListenerConfig;
import org.ftpsgateway.config.ListenerAccess;
import org.ftpsgateway.config.PortRange;
import org.ftpsgateway.config.TlsMode;
import org.ftpsgateway.config.UpstreamConfig;
import org.ftpsgateway.metrics.GatewayMetrics;
import org.ftpsgateway.protocol.CidrBlock;
import org.ftpsgateway.protocol.ProxyProtocol;
import org.ftpsgateway.protocol.ProxyProtocol.Version;
import org.ftpsgateway.support.GatewayFixture;
import org.ftpsgateway.support.FreePorts;
import org.ftpsgateway.support.Poll;
import org.ftpsgateway.support.ProxyBalancer;
import org.ftpsgateway.support.Rejections;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.Test;

/**
 * PROXY protocol on both sides: a client connection that starts with a header (as from a load balancer), and the
 * header the gateway sends upstream, read off the wire by a small TCP relay in front of the real FTPS server.
 */
class ProxyProtocolTest {

  /** The client as the "load balancer" names it: another loopback address, so data connections can come from it. */
  private static final String CLIENT = "127.0.0.2";

  @ParameterizedTest
  @EnumSource(Version.class)
  void carriedAddressIsCheckedAndSentUpstream(Version version) throws Exception {
    MeterRegistry registry = new SimpleMeterRegistry();
    try (Relay relay = new Relay(); GatewayFixture fx = GatewayFixture.start("127.0.0.1", GatewayFixture.SERVER_PROTOCOLS, c -> {
          relay.start(c.upstream().port());
          return behindBalancer(c, relay.port(), version);
        }, null, GatewayMetrics.create(registry))) {
      byte[] content = GatewayFixture.randomBytes(1_500_000, 31);
      Files.write(fx.root().resolve("p.bin"), content);
      InetSocketAddress gateway = new InetSocketAddress("127.0.0.1", fx.port());
      byte[] header = ProxyProtocol.encode(version, new InetSocketAddress(InetAddress.getByName(CLIENT), 40001),
          gateway);

      // the connection really comes from 127.0.0.1, which allowClients (127.0.0.2/32) would refuse; data
      // connections carry their own header naming the client, as a balancer forwarding the passive range does
      String[] claimed = {CLIENT};
      FTPClient ftp = client(balancer(version, () -> claimed[0], () -> false, header));
      ftp.connect("127.0.0.1", fx.port());
      loginForTransfers(ftp);
      downloads(ftp, "p.bin", content);

      // a data connection whose header names another client is not this session's: refused as a hijack
      claimed[0] = "127.0.0.1";
      assertThat(ftp.retrieveFile("p.bin", new ByteArrayOutputStream())).isFalse();
      assertThat(Rejections.count(registry, "hijack")).isGreaterThanOrEqualTo(1);
      ftp.disconnect();

      // the upstream got the carried client first on the control connection
      Seen sent = relay.seen().stream().filter(x -> x.header().hasAddresses()).findFirst().orElseThrow();
      assertThat(sent.header().source()).isEqualTo(new InetSocketAddress(InetAddress.getByName(CLIENT), 40001));
      assertThat(sent.header().destination()).isEqualTo(gateway);
      assertThat(sent.raw()).isEqualTo(header);
      // the health probe connects on the gateway's own behalf: LOCAL / UNKNOWN
      assertThat(relay.seen()).anyMatch(x -> !x.header().hasAddresses());
    }
  }

  @Test
  void malformedOrMissingHeaderClosesWithoutAGreeting() throws Exception {
    MeterRegistry registry = new SimpleMeterRegistry();
    try (GatewayFixture fx = GatewayFixture.start("127.0.0.1", GatewayFixture.SERVER_PROTOCOLS,
        c -> behindBalancer(c, c.upstream().port(), null), null, GatewayMetrics.create(registry))) {
      try (Socket s = new Socket("127.0.0.1", fx.port())) {
        s.setSoTimeout(10_000);
        s.getOutputStream().write("USER alice\r\n".getBytes(StandardCharsets.US_ASCII));
        assertThat(s.getInputStream().read()).as("closed, nothing said").isEqualTo(-1);
      }
      try (Socket s = new Socket("127.0.0.1", fx.port())) {
        s.setSoTimeout(20_000);
        long t0 = System.nanoTime();
        assertThat(s.getInputStream().read()).isEqualTo(-1);
        // fixture: timeouts.connectSeconds 5
        assertThat((System.nanoTime() - t0) / 1e9).isBetween(4.0, 10.0);
      }
      assertThat(Rejections.count(registry, "proxy_protocol")).isEqualTo(2);
      // with a header, a refused carried address gets the usual 421
      FTPClient ftp = client(ProxyProtocol.encode(Version.V1,
          new InetSocketAddress(InetAddress.getByName("192.0.2.9"), 5000), new InetSocketAddress("127.0.0.1", 21)));
      assertThatThrownBy(() -> ftp.connect("127.0.0.1", fx.port()))
          .isInstanceOf(FTPConnectionClosedException.class).hasMessageContaining("421");
      assertThat(Rejections.count(registry, "not_allowed")).isEqualTo(1);
    }
  }

  /**
   * Implicit FTPS through a balancer that forwards the control port and the passive range with a header on each
   * connection, the header in one segment with the ClientHello: the bytes behind the header must pass the TLS
   * handler, on the control connection and on every data connection (PROT P). The 227 names the balancer
   * (fromProxyHeader), so the client's data connections go through it too.
   */
  @Test
  void implicitTlsThroughABalancerOnControlAndData() throws Exception {
    String balancerHost = "127.0.0.6";
    PortRange passive = FreePorts.range(4);
    try (GatewayFixture fx = GatewayFixture.start("127.0.0.1", GatewayFixture.SERVER_PROTOCOLS, c -> {
      GatewayConfig g = behindBalancer(c, c.upstream().port(), null);
      ListenerConfig l = g.listeners().get(0);
      ClientTlsConfig tls = new ClientTlsConfig(null, null, null, null, null, false, false, false, false, false);
      return new GatewayConfig(List.of(new ListenerConfig(l.name(), l.host(), l.port(), TlsMode.IMPLICIT,
          passive, ListenerConfig.PASSIVE_FROM_PROXY_HEADER, l.allowForeignActive(), tls, l.access())), g.upstream(),
          g.timeouts(), g.metrics());
    }, null)) {
      // the control port is only known once the gateway runs; the balancer forwards it and the passive range
      List<Integer> ports = new java.util.ArrayList<>(List.of(fx.port()));
      java.util.stream.IntStream.rangeClosed(passive.first(), passive.last()).forEach(ports::add);
      try (ProxyBalancer lb = new ProxyBalancer(balancerHost, "127.0.0.1", ports, Version.V2, true)) {
        byte[] down = GatewayFixture.randomBytes(1_000_000, 41);
        byte[] up = GatewayFixture.randomBytes(700_000, 42);
        Files.write(fx.root().resolve("t.bin"), down);
        FTPSClient ftp = new FTPSClient("TLS", true);
        ftp.setTrustManager(TrustManagerUtils.getAcceptAllTrustManager());
        ftp.setDefaultTimeout(20_000);
        ftp.setPassiveLocalIPAddress(CLIENT);
        ftp.connect(InetAddress.getByName(balancerHost), fx.port(), InetAddress.getByName(CLIENT), 0);
        assertThat(ftp.login(GatewayFixture.USER, GatewayFixture.PASSWORD)).as(ftp.getReplyString()).isTrue();
        ftp.execPBSZ(0);
        ftp.execPROT("P");
        ftp.setFileType(FTPClient.BINARY_FILE_TYPE);
        ftp.enterLocalPassiveMode();
        downloads(ftp, "t.bin", down);
        assertThat(ftp.storeFile("u.bin", new java.io.ByteArrayInputStream(up))).as(ftp.getReplyString()).isTrue();
        assertThat(GatewayFixture.sha256(fx.root().resolve("u.bin"))).isEqualTo(GatewayFixture.sha256(up));
        ftp.disconnect();
        // control and both data connections came through the balancer, from the client's address
        assertThat(lb.clients()).hasSizeGreaterThanOrEqualTo(3)
            .allMatch(a -> a.getAddress().getHostAddress().equals(CLIENT));
      }
    }
  }

  /** A plain-FTP command pipelined right behind the header (same segment) is not lost. */
  @Test
  void bytesRightBehindTheHeaderReachTheSession() throws Exception {
    try (GatewayFixture fx = GatewayFixture.start("127.0.0.1", GatewayFixture.SERVER_PROTOCOLS,
        c -> behindBalancer(c, c.upstream().port(), null), null);
         Socket s = new Socket("127.0.0.1", fx.port())) {
      s.setSoTimeout(20_000);
      byte[] header = ProxyProtocol.encode(Version.V1, new InetSocketAddress(InetAddress.getByName(CLIENT), 40004),
          new InetSocketAddress("127.0.0.1", 21));
      byte[] command = "USER alice\r\n".getBytes(StandardCharsets.US_ASCII);
      byte[] both = Arrays.copyOf(header, header.length + command.length);
      System.arraycopy(command, 0, both, header.length, command.length);
      s.getOutputStream().write(both);
      var in = new java.io.BufferedReader(new java.io.InputStreamReader(s.getInputStream(),
          StandardCharsets.ISO_8859_1));
      assertThat(in.readLine()).startsWith("220");
      assertThat(in.readLine()).startsWith("331");
    }
  }

  /**
   * Behind a balancer that sends the header on every port it forwards (HAProxy send-proxy-v2, an NLB with proxy
   * protocol v2): passive downloads and uploads, the header of an upload in one segment with its data (as a balancer
   * may forward it), a whole small upload in that segment; then data connections without a header are closed and
   * counted, and the session goes on.
   */
  @ParameterizedTest
  @EnumSource(Version.class)
  void passiveTransfersWithTheHeaderOnEveryDataConnection(Version version) throws Exception {
    MeterRegistry registry = new SimpleMeterRegistry();
    try (GatewayFixture fx = GatewayFixture.start("127.0.0.1", GatewayFixture.SERVER_PROTOCOLS,
        c -> behindBalancer(c, c.upstream().port(), null), null, GatewayMetrics.create(registry))) {
      byte[] down = GatewayFixture.randomBytes(2_000_000, 51);
      byte[] up = GatewayFixture.randomBytes(1_500_000, 52);
      Files.write(fx.root().resolve("down.bin"), down);
      boolean[] coalesce = {false};
      FTPClient ftp = client(balancer(version, () -> CLIENT, () -> coalesce[0], ProxyProtocol.encode(version,
          new InetSocketAddress(InetAddress.getByName(CLIENT), 40010), new InetSocketAddress("127.0.0.1", 21))));
      ftp.connect("127.0.0.1", fx.port());
      loginForTransfers(ftp);
      downloads(ftp, "down.bin", down);

      coalesce[0] = true;
      assertThat(ftp.storeFile("up.bin", new java.io.ByteArrayInputStream(up))).as(ftp.getReplyString()).isTrue();
      assertThat(GatewayFixture.sha256(fx.root().resolve("up.bin"))).isEqualTo(GatewayFixture.sha256(up));
      byte[] small = "twelve bytes".getBytes(StandardCharsets.US_ASCII);
      assertThat(ftp.storeFile("small.txt", new java.io.ByteArrayInputStream(small))).as(ftp.getReplyString())
          .isTrue();
      assertThat(Files.readAllBytes(fx.root().resolve("small.txt"))).isEqualTo(small);
      coalesce[0] = false;

      // a data connection that starts with data instead of a header: closed at once
      assertThat(ftp.pasv()).isEqualTo(227);
      try (Socket s = new Socket("127.0.0.1", pasvPort(ftp.getReplyString()))) {
        s.setSoTimeout(10_000);
        s.getOutputStream().write("upload bytes without a header\r\n".getBytes(StandardCharsets.US_ASCII));
        assertThat(s.getInputStream().read()).as("closed").isEqualTo(-1);
      }
      // one that says nothing (a download through a balancer that sends no header): closed after connectSeconds
      assertThat(ftp.pasv()).isEqualTo(227);
      try (Socket s = new Socket("127.0.0.1", pasvPort(ftp.getReplyString()))) {
        s.setSoTimeout(20_000);
        assertThat(s.getInputStream().read()).as("closed").isEqualTo(-1);
      }
      // counted as the socket closes: wait for it with a deadline
      Poll.until(java.time.Duration.ofSeconds(10), () -> Rejections.count(registry, "proxy_protocol") >= 2);
      assertThat(Rejections.count(registry, "proxy_protocol")).isEqualTo(2);
      downloads(ftp, "down.bin", down);
      ftp.disconnect();
    }
  }

  /**
   * passiveAddress: fromProxyHeader: each 227 names the address the client reached, as its control connection's
   * header says, so one config serves every address of a balancer; EPSV names none and works as ever.
   */
  @Test
  void pasvAnnouncesTheDestinationOfTheHeader() throws Exception {
    try (GatewayFixture fx = GatewayFixture.start("127.0.0.1", GatewayFixture.SERVER_PROTOCOLS, c -> {
      GatewayConfig g = behindBalancer(c, c.upstream().port(), null);
      ListenerConfig l = g.listeners().get(0);
      return new GatewayConfig(List.of(new ListenerConfig(l.name(), l.host(), l.port(), l.tls(), l.passivePorts(),
          ListenerConfig.PASSIVE_FROM_PROXY_HEADER, l.allowForeignActive(), l.clientTls(), l.access())),
          g.upstream(), g.timeouts(), g.metrics());
    }, null)) {
      byte[] content = GatewayFixture.randomBytes(300_000, 53);
      Files.write(fx.root().resolve("e.bin"), content);
      for (String reached : List.of("127.0.0.3", "127.0.0.4")) {
        FTPClient ftp = client(balancer(Version.V2, () -> CLIENT, () -> false, ProxyProtocol.encode(Version.V2,
            new InetSocketAddress(InetAddress.getByName(CLIENT), 40011),
            new InetSocketAddress(InetAddress.getByName(reached), 21))));
        ftp.connect("127.0.0.1", fx.port());
        assertThat(ftp.login(GatewayFixture.USER, GatewayFixture.PASSWORD)).as(ftp.getReplyString()).isTrue();
        assertThat(ftp.pasv()).isEqualTo(227);
        assertThat(ftp.getReplyString()).contains("(" + reached.replace('.', ',') + ",");
        ftp.setFileType(FTPClient.BINARY_FILE_TYPE);
        ftp.enterLocalPassiveMode();
        ftp.setUseEPSVwithIPv4(true);
        downloads(ftp, "e.bin", content);
        ftp.disconnect();
      }
    }
  }

  /**
   * proxyProtocolFrom names the balancer: a connection from anywhere else is closed before its header is read, on
   * the control port and on passive data ports, and counted.
   */
  @Test
  void onlyTheBalancerMaySendHeaders() throws Exception {
    String balancer = "127.0.0.5";
    MeterRegistry registry = new SimpleMeterRegistry();
    try (GatewayFixture fx = GatewayFixture.start("127.0.0.1", GatewayFixture.SERVER_PROTOCOLS, c -> {
      GatewayConfig g = behindBalancer(c, c.upstream().port(), null);
      ListenerConfig l = g.listeners().get(0);
      return new GatewayConfig(List.of(l.withAccess(l.access().withProxyProtocolFrom(
          List.of(CidrBlock.parse(balancer + "/32"))))), g.upstream(), g.timeouts(), g.metrics());
    }, null, GatewayMetrics.create(registry))) {
      byte[] content = GatewayFixture.randomBytes(400_000, 54);
      Files.write(fx.root().resolve("b.bin"), content);
      byte[] header = ProxyProtocol.encode(Version.V2, new InetSocketAddress(InetAddress.getByName(CLIENT), 40012),
          new InetSocketAddress("127.0.0.1", 21));
      // from 127.0.0.1, not the balancer: closed without a greeting, however valid its header
      assertThatThrownBy(() -> client(header).connect("127.0.0.1", fx.port()))
          .isInstanceOf(IOException.class);
      assertThat(Rejections.count(registry, "proxy_protocol_source")).isEqualTo(1);

      FTPClient ftp = client(balancer(Version.V2, () -> CLIENT, () -> false, header));
      ftp.connect(InetAddress.getByName("127.0.0.1"), fx.port(), InetAddress.getByName(balancer), 0);
      loginForTransfers(ftp);
      ftp.setPassiveLocalIPAddress(balancer);
      downloads(ftp, "b.bin", content);
      // a data connection from elsewhere, with a header naming the right client: refused all the same
      ftp.setPassiveLocalIPAddress("127.0.0.1");
      assertThat(ftp.retrieveFile("b.bin", new ByteArrayOutputStream())).isFalse();
      assertThat(Rejections.count(registry, "proxy_protocol_source")).isEqualTo(2);
      ftp.disconnect();
    }
  }

  /** Logs in, binary, passive: the start of every transfer here. */
  private static void loginForTransfers(FTPClient ftp) throws IOException {
    assertThat(ftp.login(GatewayFixture.USER, GatewayFixture.PASSWORD)).as(ftp.getReplyString()).isTrue();
    ftp.setFileType(FTPClient.BINARY_FILE_TYPE);
    ftp.enterLocalPassiveMode();
  }

  /** Downloads {@code name}; its checksum must be {@code content}'s. */
  private static void downloads(FTPClient ftp, String name, byte[] content) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    assertThat(ftp.retrieveFile(name, out)).as(ftp.getReplyString()).isTrue();
    assertThat(GatewayFixture.sha256(out.toByteArray())).isEqualTo(GatewayFixture.sha256(content));
  }

  /** The port of a {@code 227} reply (RFC 959 §4.1.2: h1,h2,h3,h4,p1,p2). */
  private static int pasvPort(String reply) {
    java.util.regex.Matcher m = java.util.regex.Pattern.compile("(\\d+),(\\d+),(\\d+),(\\d+),(\\d+),(\\d+)")
        .matcher(reply);
    assertThat(m.find()).as(reply).isTrue();
    return Integer.parseInt(m.group(5)) * 256 + Integer.parseInt(m.group(6));
  }

  /** Upstream implicit TLS: the header must come before the TLS handshake, in clear. */
  @ParameterizedTest
  @EnumSource(Version.class)
  void headerPrecedesTheImplicitTlsHandshake(Version version) throws Exception {
    try (Relay recorder = new Relay(); GatewayFixture fx = GatewayFixture.start("127.0.0.1", GatewayFixture.SERVER_PROTOCOLS, c -> {
          recorder.start(-1);
          GatewayConfig g = behindBalancer(c, recorder.port(), version);
          UpstreamConfig u = g.upstream();
          return new GatewayConfig(g.listeners(), new UpstreamConfig(u.host(), u.port(), TlsMode.IMPLICIT,
              u.serverName(), u.caFile(), u.protocols(), u.dataMode(), u.sslEngine(), u.tlsOptions(), version), g.timeouts(),
              g.metrics());
        }, null)) {
      FTPClient ftp = client(ProxyProtocol.encode(Version.V2,
          new InetSocketAddress(InetAddress.getByName(CLIENT), 40002), new InetSocketAddress("127.0.0.1", 21)));
      // the recorder is no FTPS server: the upstream setup fails
      assertThatThrownBy(() -> ftp.connect("127.0.0.1", fx.port()))
          .isInstanceOf(FTPConnectionClosedException.class).hasMessageContaining("421");
      Seen sent = recorder.seen().stream().filter(x -> x.header().hasAddresses()).findFirst().orElseThrow();
      assertThat(sent.header().source().getPort()).isEqualTo(40002);
      // right behind the header: a TLS handshake record (content type 22, version 3.x)
      assertThat(sent.after()).startsWith(0x16, 0x03);
    }
  }

  /** The gateway's listener expects PROXY headers and admits only {@value CLIENT}. */
  private static GatewayConfig behindBalancer(GatewayConfig c, int upstreamPort, Version upstreamVersion) {
    UpstreamConfig u = c.upstream();
    return new GatewayConfig(List.of(c.listeners().get(0).withAccess(ListenerAccess.defaults()
        .withAllowClients(List.of(CidrBlock.parse(CLIENT + "/32"))).withAcceptProxyProtocol(true))),
        new UpstreamConfig(u.host(), upstreamPort, u.tls(), u.serverName(), u.caFile(), u.protocols(), u.dataMode(),
            u.sslEngine(), u.tlsOptions(), upstreamVersion),
        c.timeouts(), c.metrics());
  }

  /** A Commons Net client whose control connection starts with {@code header}; data connections stay plain. */
  private static FTPClient client(byte[] header) {
    return client(headerFirst(header));
  }

  /** A Commons Net client whose connections come from {@code sockets}. */
  private static FTPClient client(SocketFactory sockets) {
    FTPClient ftp = new FTPClient();
    ftp.setDefaultTimeout(20_000);
    ftp.setDataTimeout(java.time.Duration.ofSeconds(20));
    ftp.setSocketFactory(sockets);
    return ftp;
  }

  /** Sockets of which the first (the control connection) starts with {@code header}, sent on connect. */
  private static SocketFactory headerFirst(byte[] header) {
    AtomicBoolean first = new AtomicBoolean(true);
    return headerSockets(socket -> first.getAndSet(false) ? header : null, () -> false);
  }

  /**
   * Sockets as a load balancer in front of the gateway opens them: the first (the control connection) starts with
   * {@code controlHeader}, every later one (a data connection) with a {@code version} header naming
   * {@code client.get()} (at the socket's own port) and the address the socket reached.
   */
  private static SocketFactory balancer(Version version, java.util.function.Supplier<String> client,
                                        java.util.function.BooleanSupplier coalesce, byte[] controlHeader) {
    AtomicBoolean first = new AtomicBoolean(true);
    return headerSockets(socket -> first.getAndSet(false) ? controlHeader : ProxyProtocol.encode(version,
        new InetSocketAddress(InetAddress.getByName(client.get()), socket.getLocalPort()),
        (InetSocketAddress) socket.getRemoteSocketAddress()), coalesce);
  }

  /** What header a socket starts with, decided once it is connected; null for none. */
  @FunctionalInterface
  private interface HeaderOf {
    byte[] of(Socket connected) throws IOException;
  }

  /**
   * Sockets that start with the header {@code headerOf} gives them: sent on connect, or when {@code coalesce} says
   * so in one write with the connection's first bytes (as a balancer may forward them; only for connections on
   * which the client speaks first).
   */
  private static SocketFactory headerSockets(HeaderOf headerOf, java.util.function.BooleanSupplier coalesce) {
    return new SocketFactory() {
      @Override
      public Socket createSocket() {
        return new Socket() {
          private byte[] pending;
          private OutputStream out;

          @Override
          public void connect(SocketAddress endpoint, int timeout) throws IOException {
            super.connect(endpoint, timeout);
            byte[] header = headerOf.of(this);
            if (header != null && !coalesce.getAsBoolean()) {
              super.getOutputStream().write(header);
              super.getOutputStream().flush();
            } else {
              pending = header;
            }
          }

          @Override
          public synchronized OutputStream getOutputStream() throws IOException {
            if (out == null) {
              OutputStream raw = super.getOutputStream();
              out = new java.io.FilterOutputStream(raw) {
                @Override
                public void write(byte[] b, int off, int len) throws IOException {
                  if (pending != null) {
                    byte[] both = Arrays.copyOf(pending, pending.length + len);
                    System.arraycopy(b, off, both, pending.length, len);
                    pending = null;
                    raw.write(both);
                  } else {
                    raw.write(b, off, len);
                  }
                }

                @Override
                public void write(int b) throws IOException {
                  write(new byte[] {(byte) b}, 0, 1);
                }
              };
            }
            return out;
          }
        };
      }

      // Commons Net connects through createSocket() + connect(): the connecting variants are never called, and
      // would bypass the header above if they were
      @Override
      public Socket createSocket(String host, int port) {
        throw new UnsupportedOperationException("only createSocket() is used by FTPClient");
      }

      @Override
      public Socket createSocket(String host, int port, InetAddress localHost, int localPort) {
        throw new UnsupportedOperationException("only createSocket() is used by FTPClient");
      }

      @Override
      public Socket createSocket(InetAddress host, int port) {
        throw new UnsupportedOperationException("only createSocket() is used by FTPClient");
      }

      @Override
      public Socket createSocket(InetAddress address, int port, InetAddress localAddress, int localPort) {
        throw new UnsupportedOperationException("only createSocket() is used by FTPClient");
      }
    };
  }

  /** One connection's header as parsed, its bytes, and (recorder only) the first bytes behind it. */
  private record Seen(ProxyProtocol.Header header, byte[] raw, byte[] after) {
  }

  /**
   * A TCP relay that reads the PROXY header off each connection (byte by byte, so nothing else is consumed),
   * records it, and relays the rest to the server; with no server it records the next bytes and closes.
   */
  private static final class Relay implements AutoCloseable {
    private final ServerSocket server;
    private final List<Seen> seen = new CopyOnWriteArrayList<>();
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();

    Relay() throws IOException {
      server = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"));
    }

    int port() {
      return server.getLocalPort();
    }

    List<Seen> seen() {
      return seen;
    }

    void start(int targetPort) {
      Thread t = new Thread(() -> {
        while (!server.isClosed()) {
          try {
            Socket s = server.accept();
            sockets.add(s);
            Thread h = new Thread(() -> handle(s, targetPort));
            h.setDaemon(true);
            h.start();
          } catch (IOException e) {
            return;
          }
        }
      });
      t.setDaemon(true);
      t.start();
    }

    private void handle(Socket s, int targetPort) {
      try {
        s.setSoTimeout(15_000);
        InputStream in = s.getInputStream();
        byte[] buf = new byte[ProxyProtocol.MAX_HEADER_LENGTH];
        int n = 0;
        ProxyProtocol.Header h = null;
        while (h == null) {
          int b = in.read();
          if (b < 0) {
            s.close();
            return;
          }
          buf[n++] = (byte) b;
          h = ProxyProtocol.parse(buf, n);
        }
        if (targetPort < 0) {
          seen.add(new Seen(h, Arrays.copyOf(buf, n), in.readNBytes(3)));
          s.close();
          return;
        }
        seen.add(new Seen(h, Arrays.copyOf(buf, n), null));
        s.setSoTimeout(0);
        Socket up = new Socket("127.0.0.1", targetPort);
        sockets.add(up);
        pump(up.getInputStream(), s.getOutputStream());
        pump(in, up.getOutputStream());
      } catch (IOException | IllegalArgumentException e) {
        try {
          s.close();
        } catch (IOException ignored) {
          // closing after a failure: nothing left to do
        }
      }
    }

    private void pump(InputStream from, OutputStream to) {
      Thread t = new Thread(() -> {
        try (from; to) {
          from.transferTo(to);
        } catch (IOException e) {
          // one side went away; closing both (try-with-resources) tells the other
        }
      });
      t.setDaemon(true);
      t.start();
    }

    @Override
    public void close() throws IOException {
      server.close();
      for (Socket s : sockets) {
        s.close();
      }
    }
  }
}
