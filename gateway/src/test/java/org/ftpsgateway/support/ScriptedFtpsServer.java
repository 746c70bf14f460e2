package org.ftpsgateway.support;

import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import org.ftpsgateway.tls.GeneratedCertificate;

/**
 * A small FTPS server whose behaviour each test scripts, for the faults no real server produces on demand
 * (issue #8): it speaks real TLS (explicit, RFC 4217) with a certificate generated at start, answers the greeting,
 * {@code AUTH TLS}, {@code PBSZ}, {@code PROT}, {@code USER}/{@code PASS}, {@code EPSV}/{@code PASV},
 * {@code TYPE} and {@code NOOP}/{@code QUIT}, and serves {@code RETR}/{@code STOR} from an in-memory map. A test
 * replaces any verb with its own {@link Script} to misbehave (close the control connection, reset or stall the data
 * connection, lie with {@code 226}...). What happened is written to an event log the test can wait on.
 *
 * <p>Plain blocking sockets, one thread per connection: a fault script reads like the misbehaviour it describes.
 * Data connections are passive only (the gateway always asks the upstream for EPSV/PASV), TLS with the gateway as
 * TLS client (RFC 4217 §7); by default they use the control connection's TLS context, so the gateway can resume
 * its session.
 */
public final class ScriptedFtpsServer implements AutoCloseable {

  /** What a scripted verb does; runs on the session's thread. */
  @FunctionalInterface
  public interface Script {
    void run(Session session, String argument) throws Exception;
  }

  private static final int MAX_LINE = 4096;
  private static final char[] STORE_PASSWORD = "changeit".toCharArray();

  private final GeneratedCertificate certificate;
  private final SSLContext controlTls;
  private volatile SSLContext dataTls;
  private volatile GeneratedCertificate dataCertificate;
  private final Map<String, Script> scripts = new ConcurrentHashMap<>();
  private final Map<String, byte[]> files = new ConcurrentHashMap<>();
  private final List<String> events = new CopyOnWriteArrayList<>();
  private final List<Session> sessions = new CopyOnWriteArrayList<>();
  private final AtomicLong sessionIds = new AtomicLong();
  private volatile ServerSocket listener;
  private volatile int port;
  private volatile boolean closed;

  private ScriptedFtpsServer(GeneratedCertificate certificate) {
    this.certificate = certificate;
    this.controlTls = sslContext(certificate);
    this.dataTls = controlTls;
    this.dataCertificate = certificate;
  }

  /** Starts on an ephemeral port of 127.0.0.1 with a certificate for {@code localhost} and {@code 127.0.0.1}. */
  public static ScriptedFtpsServer start() throws IOException {
    ScriptedFtpsServer server = new ScriptedFtpsServer(
        GeneratedCertificate.generate(List.of("localhost", "127.0.0.1"), Duration.ofDays(1)));
    server.bind(0);
    return server;
  }

  public int port() {
    return port;
  }

  /** The control connection's certificate, PEM (what the gateway's {@code upstream.caFile} should hold). */
  public String certificatePem() {
    return certificate.certificatePem();
  }

  /**
   * Writes a CA bundle the gateway trusts: the control certificate and, when a different data certificate is in
   * use, that one too (so a mismatch is not already refused by the chain check).
   */
  public Path writeCaFile(Path file) throws IOException {
    String pem = certificate.certificatePem();
    if (dataCertificate != certificate) {
      pem += dataCertificate.certificatePem();
    }
    Files.writeString(file, pem);
    return file;
  }

  /** From now on data connections present {@code other} instead of the control connection's certificate. */
  public ScriptedFtpsServer dataCertificate(GeneratedCertificate other) {
    this.dataCertificate = other;
    this.dataTls = sslContext(other);
    return this;
  }

  /** Replaces the behaviour of {@code verb} (upper case) for every session. */
  public ScriptedFtpsServer on(String verb, Script script) {
    scripts.put(verb.toUpperCase(Locale.ROOT), script);
    return this;
  }

  public ScriptedFtpsServer file(String name, byte[] content) {
    files.put(name, content);
    return this;
  }

  /** A stored file (uploads land here once complete), or null. */
  public byte[] file(String name) {
    return files.get(name);
  }

  public void record(String event) {
    events.add(event);
    synchronized (events) {
      events.notifyAll();
    }
  }

  public List<String> events() {
    return List.copyOf(events);
  }

  /** Waits until an event matches; fails the test with the event log otherwise. */
  public String awaitEvent(Predicate<String> match, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    synchronized (events) {
      while (true) {
        for (String e : events) {
          if (match.test(e)) {
            return e;
          }
        }
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          throw new AssertionError("no matching event within " + timeout + "; events: " + events);
        }
        events.wait(Math.max(1, left / 1_000_000));
      }
    }
  }

  public String awaitEvent(String prefix, Duration timeout) throws InterruptedException {
    return awaitEvent(e -> e.startsWith(prefix), timeout);
  }

  /** Control connections open now. */
  public int openSessions() {
    return (int) sessions.stream().filter(s -> !s.control.isClosed()).count();
  }

  /**
   * A restart: the listening socket and every connection are closed (as a killed server's would be), then the
   * server listens again on the same port with the same certificate.
   */
  public void restart() throws IOException {
    shutdown();
    record("restart");
    closed = false;
    long deadline = System.nanoTime() + 5_000_000_000L;
    while (true) {
      try {
        bind(port);
        return;
      } catch (java.net.BindException e) {
        if (System.nanoTime() > deadline) {
          throw e;
        }
        record("restart: port " + port + " not free yet: " + e.getMessage());
        try {
          Thread.sleep(50);
        } catch (InterruptedException ie) {
          Thread.currentThread().interrupt();
          throw new IOException("interrupted", ie);
        }
      }
    }
  }

  @Override
  public void close() throws IOException {
    shutdown();
  }

  private void shutdown() throws IOException {
    closed = true;
    ServerSocket l = listener;
    if (l != null) {
      l.close();
    }
    for (Session s : sessions) {
      s.closeQuietly();
    }
    sessions.clear();
  }

  private void bind(int wanted) throws IOException {
    ServerSocket l = new ServerSocket();
    l.setReuseAddress(true);
    l.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), wanted));
    listener = l;
    port = l.getLocalPort();
    Thread acceptor = new Thread(() -> acceptLoop(l), "scripted-ftps-accept-" + port);
    acceptor.setDaemon(true);
    acceptor.start();
  }

  private void acceptLoop(ServerSocket l) {
    while (!closed && !l.isClosed()) {
      try {
        Socket s = l.accept();
        Session session = new Session(s, sessionIds.incrementAndGet());
        sessions.add(session);
        Thread t = new Thread(session::run, "scripted-ftps-session-" + session.id);
        t.setDaemon(true);
        t.start();
      } catch (IOException e) {
        return; // listener closed
      }
    }
  }

  private static SSLContext sslContext(GeneratedCertificate cert) {
    try {
      KeyStore ks = KeyStore.getInstance("PKCS12");
      ks.load(new java.io.ByteArrayInputStream(cert.pkcs12("server", STORE_PASSWORD)), STORE_PASSWORD);
      KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
      kmf.init(ks, STORE_PASSWORD);
      SSLContext ctx = SSLContext.getInstance("TLS");
      ctx.init(kmf.getKeyManagers(), null, null);
      return ctx;
    } catch (Exception e) {
      throw new IllegalStateException("cannot build the scripted server's TLS context: " + e.getMessage(), e);
    }
  }

  /** One control connection. Scripts use its methods to answer, open data connections and misbehave. */
  public final class Session {

    private final long id;
    private final Socket raw;
    private volatile Socket control;
    private BufferedReader in;
    private OutputStream out;
    private ServerSocket passive;
    private final List<Data> data = new ArrayList<>();

    private Session(Socket raw, long id) {
      this.raw = raw;
      this.control = raw;
      this.id = id;
    }

    public long id() {
      return id;
    }

    public ScriptedFtpsServer server() {
      return ScriptedFtpsServer.this;
    }

    public void reply(int code, String text) throws IOException {
      out.write((code + " " + text + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
      out.flush();
    }

    /**
     * Accepts the data connection on the port announced by the last EPSV/PASV and runs the TLS handshake
     * (server role). Fails if nobody connects within 10 s.
     */
    public Data acceptData() throws IOException {
      if (passive == null) {
        throw new IOException("no EPSV/PASV before the transfer");
      }
      ServerSocket p = passive;
      passive = null;
      try (p) {
        p.setSoTimeout(10_000);
        Socket s = p.accept();
        SSLSocket tls = (SSLSocket) dataTls.getSocketFactory().createSocket(s, null, s.getPort(), true);
        tls.setUseClientMode(false);
        tls.setSoTimeout(10_000);
        tls.startHandshake();
        Data d = new Data(s, tls);
        data.add(d);
        return d;
      }
    }

    /** The passive port the last EPSV/PASV announced is closed again, without accepting anything. */
    public void closePassive() throws IOException {
      if (passive != null) {
        passive.close();
        passive = null;
      }
    }

    /** Closes the control connection without a reply or TLS close_notify, as a crashing server would. */
    public void dropControl() throws IOException {
      record("session " + id + " control dropped by script");
      raw.close();
    }

    /** Blocks until the peer closes the control connection (or {@code timeout}); then the script ends. */
    public void awaitControlClosed(Duration timeout) throws IOException {
      control.setSoTimeout((int) timeout.toMillis());
      try {
        while (in.readLine() != null) {
          // a silent server ignores whatever comes
        }
      } catch (SocketTimeoutException e) {
        record("session " + id + " control still open after " + timeout);
        return;
      } catch (IOException e) {
        // reset: closed as well
      }
      record("session " + id + " control closed by peer");
    }

    /**
     * Reads the next command line itself (a script answering a command that arrives while it runs, such as ABOR
     * during a transfer); null when the control connection closed. Recorded like any command.
     */
    public String nextCommand() throws IOException {
      String line = readLine();
      if (line != null) {
        record("session " + id + " > " + line);
      }
      return line;
    }

    /** Serves {@code RETR} normally: 150, the file, close_notify, 226. */
    public void retr(String name) throws IOException {
      byte[] content = files.get(name);
      if (content == null) {
        closePassive();
        reply(550, name + ": No such file.");
        return;
      }
      reply(150, "Opening BINARY mode data connection for " + name + " (" + content.length + " bytes).");
      boolean sent;
      try (Data d = acceptData()) {
        sent = d.write(content, 0, content.length);
      } catch (IOException e) {
        record("RETR " + name + " data connection failed: " + e);
        sent = false;
      }
      if (sent) {
        record("RETR " + name + " sent " + content.length);
        reply(226, "Transfer complete.");
      } else {
        reply(426, "Connection closed; transfer aborted.");
      }
    }

    /** Serves {@code STOR} normally: 150, read until close_notify, 226; the file is stored only when complete. */
    public void stor(String name) throws IOException {
      reply(150, "Ok to send data.");
      Data d;
      try {
        d = acceptData();
      } catch (IOException e) {
        record("STOR " + name + " data connection failed: " + e);
        reply(425, "Can't open data connection.");
        return;
      }
      Data.Received r = d.readAll();
      if (r.clean()) {
        d.close();
        files.put(name, r.bytes());
        record("STOR " + name + " received " + r.bytes().length + " clean");
        reply(226, "Transfer complete.");
      } else {
        d.closeQuietly();
        record("STOR " + name + " aborted after " + r.bytes().length + ": " + r.failure());
        reply(426, "Connection closed; transfer aborted.");
      }
    }

    private void run() {
      try (raw) {
        raw.setSoTimeout(60_000);
        setStreams(raw);
        reply(220, "Scripted FTPS server ready.");
        String line;
        while ((line = readLine()) != null) {
          int sp = line.indexOf(' ');
          String verb = (sp < 0 ? line : line.substring(0, sp)).toUpperCase(Locale.ROOT);
          String arg = sp < 0 ? "" : line.substring(sp + 1);
          record("session " + id + " > " + (verb.equals("PASS") ? "PASS ****" : line));
          Script script = scripts.get(verb);
          if (script != null) {
            script.run(this, arg);
          } else if (!builtIn(verb, arg)) {
            return;
          }
        }
        record("session " + id + " control closed by peer");
      } catch (Exception e) {
        if (!closed && !raw.isClosed()) {
          record("session " + id + " control failed: " + e);
        } else {
          record("session " + id + " control closed");
        }
      } finally {
        closeQuietly();
      }
    }

    /** False when the session ends (QUIT). */
    private boolean builtIn(String verb, String arg) throws IOException {
      switch (verb) {
        case "AUTH" -> {
          if (!arg.equalsIgnoreCase("TLS")) {
            reply(504, "AUTH TLS only.");
            return true;
          }
          reply(234, "Proceed with negotiation.");
          SSLSocket tls = (SSLSocket) controlTls.getSocketFactory().createSocket(raw, null, raw.getPort(), true);
          tls.setUseClientMode(false);
          tls.startHandshake();
          control = tls;
          setStreams(tls);
        }
        case "PBSZ" -> reply(200, "PBSZ=0");
        case "PROT" -> reply(200, "Protection level set to " + arg + ".");
        case "USER" -> reply(331, "Password please.");
        case "PASS" -> reply(230, "Logged in.");
        case "TYPE" -> reply(200, "Type set to " + arg + ".");
        case "NOOP" -> reply(200, "NOOP ok.");
        case "SYST" -> reply(215, "UNIX Type: L8");
        case "FEAT" -> reply(211, "No features.");
        case "EPSV" -> reply(229, "Entering Extended Passive Mode (|||" + openPassive() + "|)");
        case "PASV" -> {
          int p = openPassive();
          reply(227, "Entering Passive Mode (127,0,0,1," + (p >> 8) + "," + (p & 0xff) + ").");
        }
        case "RETR" -> retr(arg);
        case "STOR" -> stor(arg);
        case "ABOR" -> reply(226, "ABOR ok.");
        case "QUIT" -> {
          reply(221, "Goodbye.");
          return false;
        }
        // what a real server answers to a verb it does not know (RFC 959 §4.2); tests script the verbs they need
        default -> reply(502, verb + " not implemented.");
      }
      return true;
    }

    private int openPassive() throws IOException {
      closePassive();
      passive = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
      return passive.getLocalPort();
    }

    private void setStreams(Socket s) throws IOException {
      in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.ISO_8859_1), MAX_LINE);
      out = s.getOutputStream();
    }

    private String readLine() throws IOException {
      String line = in.readLine();
      if (line != null && line.length() > MAX_LINE) {
        throw new IOException("command line too long");
      }
      return line;
    }

    private void closeQuietly() {
      for (Data d : data) {
        d.closeQuietly();
      }
      try {
        if (passive != null) {
          passive.close();
        }
        raw.close();
      } catch (IOException e) {
        // closing anyway
      }
    }
  }

  /** One TLS data connection (server side). */
  public final class Data implements AutoCloseable {

    /**
     * What a read until the end delivered. {@code clean}: the stream ended (close_notify, or a TCP close without
     * it, which the JDK's SSLSocket also reports as the end of the stream); otherwise the failure (a reset).
     */
    public record Received(byte[] bytes, boolean clean, String failure) {
    }

    private final Socket raw;
    private final SSLSocket tls;

    private Data(Socket raw, SSLSocket tls) {
      this.raw = raw;
      this.tls = tls;
    }

    public SSLSocket socket() {
      return tls;
    }

    /** The TCP socket under the TLS one (buffer sizes, linger). */
    public Socket tcp() {
      return raw;
    }

    public ScriptedFtpsServer server() {
      return ScriptedFtpsServer.this;
    }

    /** Writes {@code length} bytes; false (and an event) when the peer went away first. */
    public boolean write(byte[] bytes, int offset, int length) {
      try {
        tls.getOutputStream().write(bytes, offset, length);
        tls.getOutputStream().flush();
        return true;
      } catch (IOException e) {
        record("data write failed: " + e);
        return false;
      }
    }

    /** Writes {@code total} bytes of {@code pattern}, repeated, counting what the socket took in {@code written}. */
    public boolean writeRepeated(byte[] pattern, long total, AtomicLong written) {
      long left = total;
      while (left > 0) {
        int n = (int) Math.min(pattern.length, left);
        if (!write(pattern, 0, n)) {
          return false;
        }
        written.addAndGet(n);
        left -= n;
      }
      return true;
    }

    /** Reads up to {@code max} bytes (fewer if the stream ends first). */
    public byte[] read(int max) throws IOException {
      ByteArrayOutputStream buf = new ByteArrayOutputStream();
      byte[] chunk = new byte[16 * 1024];
      InputStream is = tls.getInputStream();
      while (buf.size() < max) {
        int n = is.read(chunk, 0, Math.min(chunk.length, max - buf.size()));
        if (n < 0) {
          break;
        }
        buf.write(chunk, 0, n);
      }
      return buf.toByteArray();
    }

    /** Reads until the end of the stream or a failure. */
    public Received readAll() {
      ByteArrayOutputStream buf = new ByteArrayOutputStream();
      byte[] chunk = new byte[64 * 1024];
      try {
        InputStream is = tls.getInputStream();
        int n;
        while ((n = is.read(chunk)) >= 0) {
          buf.write(chunk, 0, n);
        }
        return new Received(buf.toByteArray(), true, null);
      } catch (IOException e) {
        return new Received(buf.toByteArray(), false, e.toString());
      }
    }

    /** Ends the data connection with a TCP reset (SO_LINGER 0), no TLS close_notify. */
    public void reset() throws IOException {
      raw.setSoLinger(true, 0);
      raw.close();
    }

    /** Sends close_notify but keeps the TCP connection open (and stops reading). */
    public void closeNotifyOnly() throws IOException {
      tls.shutdownOutput();
    }

    @Override
    public void close() throws IOException {
      tls.close();
    }

    /** Closes the TCP connection, no close_notify. */
    public void closeQuietly() {
      try {
        raw.close();
      } catch (IOException e) {
        // closing anyway
      }
    }
  }
}
