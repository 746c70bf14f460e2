package org.ftpsgateway.support;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import org.ftpsgateway.protocol.DataAddresses;
import org.ftpsgateway.protocol.FtpProtocolException;
import org.ftpsgateway.protocol.FtpReply;
import org.ftpsgateway.protocol.FtpReplyDecoder;

/**
 * A plain-FTP client on a raw socket, for tests that need exact control over what is sent when (ABOR before or
 * after the data connection closes, ABOR as urgent data) and must see every reply, in order, including ones a
 * library would swallow. Every read is bounded by {@link #REPLY_TIMEOUT}.
 */
public final class RawFtpClient implements AutoCloseable {

  /** How an ABOR goes on the wire. */
  public enum AborStyle {
    /** {@code ABOR CRLF}. */
    PLAIN,
    /** RFC 959 §4.1.3: Telnet IP and Synch ({@code IAC IP IAC DM}), then {@code ABOR CRLF}. */
    TELNET_SYNCH,
    /**
     * As Python's ftplib does: {@code ABOR CRLF} sent with {@code MSG_OOB}, whose last byte (the LF) is TCP urgent
     * data; a receiver without {@code SO_OOBINLINE} never gets it in its stream.
     */
    URGENT
  }

  /** The bound of every wait for a reply: a command without its final reply for longer is a hang. */
  public static final Duration REPLY_TIMEOUT = Duration.ofSeconds(8);

  private final Socket socket;
  private final InputStream in;
  private final OutputStream out;
  private final FtpReplyDecoder decoder = new FtpReplyDecoder();
  private final ArrayDeque<FtpReply> replies = new ArrayDeque<>();
  /** Every reply read, in order (the sequence tests assert on). */
  private final List<FtpReply> log = new ArrayList<>();

  private RawFtpClient(Socket socket) throws IOException {
    this.socket = socket;
    socket.setSoTimeout((int) REPLY_TIMEOUT.toMillis());
    this.in = socket.getInputStream();
    this.out = socket.getOutputStream();
  }

  /** Connects, reads the greeting (220), logs in and sets binary type. */
  public static RawFtpClient login(int port, String user, String password) throws IOException {
    RawFtpClient c = new RawFtpClient(new Socket("127.0.0.1", port));
    c.expect(220);
    c.command("USER " + user, 331);
    c.command("PASS " + password, 230);
    c.command("TYPE I", 200);
    return c;
  }

  /** Connects and reads the greeting only. */
  public static RawFtpClient connect(int port) throws IOException {
    RawFtpClient c = new RawFtpClient(new Socket("127.0.0.1", port));
    c.expect(220);
    return c;
  }

  public void send(String line) throws IOException {
    out.write((line + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
    out.flush();
  }

  /** Sends ABOR in the given style; its reply is read like any other. */
  public void abor(AborStyle style) throws IOException {
    switch (style) {
      case PLAIN -> send("ABOR");
      case TELNET_SYNCH -> {
        out.write(new byte[] {(byte) 0xFF, (byte) 244, (byte) 0xFF, (byte) 242});
        send("ABOR");
      }
      case URGENT -> {
        out.write("ABOR\r".getBytes(StandardCharsets.ISO_8859_1));
        out.flush();
        socket.sendUrgentData('\n');
      }
    }
  }

  /** The next reply, preliminary or final; fails after {@link #REPLY_TIMEOUT}. */
  public FtpReply next() throws IOException {
    byte[] buf = new byte[4096];
    while (replies.isEmpty()) {
      int n;
      try {
        n = in.read(buf);
      } catch (SocketTimeoutException e) {
        throw new IOException("no reply within " + REPLY_TIMEOUT + "; replies so far: " + codes());
      }
      if (n < 0) {
        throw new IOException("control connection closed; replies so far: " + codes());
      }
      try {
        decoder.feed(buf, 0, n, replies::add);
      } catch (FtpProtocolException e) {
        throw new IOException("malformed reply: " + e.getMessage(), e);
      }
    }
    FtpReply r = replies.poll();
    log.add(r);
    return r;
  }

  /** The next final reply (preliminary ones are logged and skipped). */
  public FtpReply nextFinal() throws IOException {
    FtpReply r;
    do {
      r = next();
    } while (r.isPreliminary());
    return r;
  }

  /** Reads the next reply and fails unless its code is {@code code}. */
  public FtpReply expect(int code) throws IOException {
    FtpReply r = next();
    if (r.code() != code) {
      throw new IOException("expected " + code + ", got " + r + "; replies so far: " + codes());
    }
    return r;
  }

  /** Sends {@code line} and expects {@code code} as its (only) reply. */
  public FtpReply command(String line, int code) throws IOException {
    send(line);
    return expect(code);
  }

  /** Codes of every reply read so far, in order. */
  public List<Integer> codes() {
    return log.stream().map(FtpReply::code).toList();
  }

  /** Every reply read so far, in order. */
  public List<FtpReply> replies() {
    return List.copyOf(log);
  }

  /** Forgets the replies read so far (the next assertion starts from here). */
  public void clearLog() {
    log.clear();
  }

  /** A data connection prepared before the transfer command: passive (connected) or active (listening). */
  public interface DataEnd extends AutoCloseable {
    /** The connection, once the gateway opened it (active: accepted now, bounded). */
    Socket socket() throws IOException;

    @Override
    void close() throws IOException;
  }

  /** PASV (expects 227), connects to the announced port. */
  public DataEnd passive() throws IOException {
    FtpReply r = command("PASV", 227);
    var hp = DataAddresses.parsePasvReply(r.text()).orElseThrow(() -> new IOException("unreadable 227: " + r));
    Socket s = new Socket();
    s.connect(new InetSocketAddress(hp.host(), hp.port()), 5000);
    s.setSoTimeout((int) REPLY_TIMEOUT.toMillis());
    return new DataEnd() {
      @Override
      public Socket socket() {
        return s;
      }

      @Override
      public void close() throws IOException {
        s.close();
      }
    };
  }

  /** PORT to a socket listening on 127.0.0.1 (expects 200); the gateway connects when the transfer starts. */
  public DataEnd active() throws IOException {
    ServerSocket listener = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"));
    listener.setSoTimeout((int) REPLY_TIMEOUT.toMillis());
    int p = listener.getLocalPort();
    command("PORT 127,0,0,1," + (p >> 8) + "," + (p & 0xFF), 200);
    return new DataEnd() {
      private Socket accepted;

      @Override
      public Socket socket() throws IOException {
        if (accepted == null) {
          accepted = listener.accept();
          accepted.setSoTimeout((int) REPLY_TIMEOUT.toMillis());
        }
        return accepted;
      }

      @Override
      public void close() throws IOException {
        listener.close();
        if (accepted != null) {
          accepted.close();
        }
      }
    };
  }

  /**
   * Sends a transfer command over {@code data} and waits for its 150 (active: after accepting the gateway's
   * connection, since the gateway announces the transfer once it reached the client). Returns the data socket.
   */
  public Socket start(String command, DataEnd data) throws IOException {
    send(command);
    Socket s = data.socket();
    expect(150);
    return s;
  }

  /** A whole download over a fresh passive connection: 150, the bytes, 226. Returns the bytes. */
  public byte[] retr(String path) throws IOException {
    try (DataEnd d = passive()) {
      Socket s = start("RETR " + path, d);
      ByteArrayOutputStream got = new ByteArrayOutputStream();
      s.getInputStream().transferTo(got);
      expect(226);
      return got.toByteArray();
    }
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }
}
