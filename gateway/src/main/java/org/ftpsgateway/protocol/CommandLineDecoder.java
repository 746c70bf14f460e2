package org.ftpsgateway.protocol;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Incremental framing of the client's control stream into command lines. Terminator: CRLF (RFC 959), also a
 * bare LF (many legacy clients). Telnet commands (RFC 854) are removed: {@code IAC IP}, {@code IAC DM} and the
 * other two-byte commands, {@code IAC WILL/WONT/DO/DONT x}; {@code IAC IAC} is a literal 0xFF. A line with a NUL
 * or a bare CR inside, or longer than the cap, is reported invalid as a whole, so nothing after such a byte can
 * ever reach the upstream as a second command (no CRLF injection).
 *
 * <p>One exception: {@code ABOR} followed by CR ends its line at the CR. A client that sends ABOR as TCP urgent
 * data (Python's {@code ftplib} sends {@code ABOR\r\n} with {@code MSG_OOB}) marks the LF as the urgent byte, and
 * a socket without {@code SO_OOBINLINE} never delivers it: only {@code ABOR\r} arrives, and the client waits for the
 * reply (RFC 959 §4.1.3 asks servers to look for ABOR in the urgent stream). An LF that does follow is dropped; any
 * other byte starts the next line, so the two commands are still seen separately.
 */
public final class CommandLineDecoder {

  public static final int DEFAULT_MAX_LINE_LENGTH = 4096;
  /** First size of the line buffer; most command lines fit (a path of a few hundred bytes grows it once or twice). */
  static final int INITIAL_BUFFER = 256;

  /** Receives decoded lines, or the reason a line was refused. */
  public interface Sink {
    void line(String line);

    void invalid(String reason);
  }

  private static final int IAC = 0xFF;
  private static final int SB = 250;
  private static final int SE = 240;
  private static final int WILL = 251;
  private static final int DONT = 254;

  private enum TelnetState { DATA, IAC, OPTION, SUBNEGOTIATION, SUBNEGOTIATION_IAC }

  private final int maxLineLength;
  /** Grows on demand up to {@code maxLineLength}: an idle session holds a short buffer, not the cap (issue #6). */
  private byte[] line;
  private int length;
  private TelnetState telnet = TelnetState.DATA;
  private boolean sawCr;
  /** An ABOR line just ended at its CR: an LF right behind it belongs to that line. */
  private boolean aborCr;
  private String invalidReason;

  public CommandLineDecoder() {
    this(DEFAULT_MAX_LINE_LENGTH);
  }

  public CommandLineDecoder(int maxLineLength) {
    this.maxLineLength = maxLineLength;
    this.line = new byte[Math.min(INITIAL_BUFFER, maxLineLength)];
  }

  public void feed(byte[] bytes, int offset, int count, Sink sink) {
    for (int i = offset; i < offset + count; i++) {
      int b = bytes[i] & 0xFF;
      if (aborCr && telnet == TelnetState.DATA && b != IAC) {
        // Telnet commands between the CR and the LF are skipped, as on any line
        aborCr = false;
        if (b == '\n') {
          continue;
        }
      }
      switch (telnet) {
        case IAC -> {
          telnet = TelnetState.DATA;
          if (b == IAC) {
            data(IAC); // an escaped 0xFF is data: a CR before it is a bare CR too
          } else if (b >= WILL && b <= DONT) {
            telnet = TelnetState.OPTION;
          } else if (b == SB) {
            telnet = TelnetState.SUBNEGOTIATION;
          }
          // any other Telnet command (IP, DM, AO, AYT, NOP...) carries no data for the command line
        }
        case OPTION -> telnet = TelnetState.DATA;
        case SUBNEGOTIATION -> telnet = b == IAC ? TelnetState.SUBNEGOTIATION_IAC : TelnetState.SUBNEGOTIATION;
        case SUBNEGOTIATION_IAC -> telnet = b == SE ? TelnetState.DATA : TelnetState.SUBNEGOTIATION;
        case DATA -> {
          if (b == IAC) {
            telnet = TelnetState.IAC;
          } else if (b == '\n') {
            endOfLine(sink);
          } else if (b == '\r' && !sawCr && isAbor()) {
            endOfLine(sink);
            aborCr = true;
          } else if (b == '\r') {
            if (sawCr) {
              markInvalid("bare CR in command line");
            }
            sawCr = true;
          } else {
            data(b);
          }
        }
      }
    }
  }

  /** Whether the line so far is exactly {@code ABOR} (any case), with nothing refused in it. */
  private boolean isAbor() {
    return invalidReason == null && length == 4
        && (line[0] | 0x20) == 'a' && (line[1] | 0x20) == 'b' && (line[2] | 0x20) == 'o' && (line[3] | 0x20) == 'r';
  }

  private void data(int b) {
    if (sawCr) {
      // RFC 854: CR NUL means a bare CR; either way a CR inside a command is refused
      markInvalid("bare CR in command line");
      sawCr = false;
    }
    if (b == 0) {
      markInvalid("NUL byte in command line");
    } else {
      append(b);
    }
  }

  public void feed(byte[] bytes, Sink sink) {
    feed(bytes, 0, bytes.length, sink);
  }

  /** Bytes of an unfinished line currently held (for tests and slow-client accounting). */
  public int pending() {
    return length;
  }

  private void append(int b) {
    if (length == maxLineLength) {
      markInvalid("command line longer than " + maxLineLength + " bytes");
      return;
    }
    if (invalidReason == null) {
      if (length == line.length) {
        line = Arrays.copyOf(line, Math.min(maxLineLength, line.length * 2));
      }
      line[length++] = (byte) b;
    }
  }

  private void markInvalid(String reason) {
    if (invalidReason == null) {
      invalidReason = reason;
    }
    length = 0;
  }

  private void endOfLine(Sink sink) {
    String reason = invalidReason;
    String text = reason == null ? new String(line, 0, length, StandardCharsets.ISO_8859_1) : null;
    length = 0;
    sawCr = false;
    invalidReason = null;
    if (reason != null) {
      sink.invalid(reason);
    } else {
      sink.line(text);
    }
  }
}
