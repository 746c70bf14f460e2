package org.ftpsgateway.protocol;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Consumer;

/**
 * Incremental decoder of FTP replies (RFC 959 §4.2) from an upstream server. Bytes may arrive split at any
 * point. A multi-line reply opens with {@code NNN-} and closes only with a line starting {@code NNN } (same
 * code); inner lines may look like anything, including other codes. Every line and every reply is capped so a
 * hostile server cannot make the gateway buffer without bound.
 */
public final class FtpReplyDecoder {

  public static final int DEFAULT_MAX_LINE_LENGTH = 8192;
  /** First size of the line buffer; reply lines are short, a long listing line grows it. */
  static final int INITIAL_BUFFER = 256;
  public static final int DEFAULT_MAX_REPLY_LINES = 100_000;
  /** Bytes one multi-line reply may hold in all (a huge STAT listing fits; a hostile server cannot exhaust memory). */
  public static final int MAX_REPLY_BYTES = 4 << 20;

  private final int maxLineLength;
  private final int maxReplyLines;
  /** Grows on demand up to {@code maxLineLength + 1}: an idle session holds a short buffer, not the cap. */
  private byte[] line;
  private int lineLength;
  private boolean failed;

  private int openCode = -1;
  private List<String> openLines;
  private int openBytes;

  public FtpReplyDecoder() {
    this(DEFAULT_MAX_LINE_LENGTH, DEFAULT_MAX_REPLY_LINES);
  }

  public FtpReplyDecoder(int maxLineLength, int maxReplyLines) {
    this.maxLineLength = maxLineLength;
    this.maxReplyLines = maxReplyLines;
    // one byte over the cap: room for the CR that ends a line of exactly maxLineLength bytes
    this.line = new byte[Math.min(INITIAL_BUFFER, maxLineLength + 1)];
  }

  /** Feeds bytes; each complete reply goes to {@code out} in order. After an exception the decoder stays failed. */
  public void feed(byte[] bytes, int offset, int length, Consumer<FtpReply> out) throws FtpProtocolException {
    if (failed) {
      throw new FtpProtocolException("reply stream already failed");
    }
    for (int i = offset; i < offset + length; i++) {
      byte b = bytes[i];
      if (b == '\n') {
        int end = lineLength;
        if (end > 0 && line[end - 1] == '\r') {
          end--;
        }
        String text = new String(line, 0, end, StandardCharsets.ISO_8859_1);
        lineLength = 0;
        onLine(text, out);
      } else {
        // the terminator does not count (as with a bare LF): only a CR may follow a full line
        if (lineLength > maxLineLength || (lineLength == maxLineLength && b != '\r')) {
          failed = true;
          throw new FtpProtocolException("reply line longer than " + maxLineLength + " bytes");
        }
        if (lineLength == line.length) {
          line = Arrays.copyOf(line, Math.min(maxLineLength + 1, line.length * 2));
        }
        line[lineLength++] = b;
      }
    }
  }

  public void feed(byte[] bytes, Consumer<FtpReply> out) throws FtpProtocolException {
    feed(bytes, 0, bytes.length, out);
  }

  /** True when no partial reply is buffered (used to tell a clean close from a truncated reply). */
  public boolean isIdle() {
    return lineLength == 0 && openCode < 0;
  }

  private void onLine(String text, Consumer<FtpReply> out) throws FtpProtocolException {
    if (openCode >= 0) {
      if (openLines.size() >= maxReplyLines) {
        failed = true;
        throw new FtpProtocolException("multi-line reply longer than " + maxReplyLines + " lines");
      }
      openBytes += text.length() + 2;
      if (openBytes > MAX_REPLY_BYTES) {
        failed = true;
        throw new FtpProtocolException("multi-line reply larger than " + MAX_REPLY_BYTES + " bytes");
      }
      openLines.add(text);
      if (text.length() >= 3 && parseCode(text) == openCode && (text.length() == 3 || text.charAt(3) == ' ')) {
        FtpReply reply = new FtpReply(openCode, openLines);
        openCode = -1;
        openLines = null;
        out.accept(reply);
      }
      return;
    }
    int code = text.length() >= 3 ? parseCode(text) : -1;
    if (code < 0) {
      failed = true;
      throw new FtpProtocolException("malformed reply line: " + abbreviate(text));
    }
    if (text.length() == 3 || text.charAt(3) == ' ') {
      out.accept(new FtpReply(code, List.of(text)));
    } else if (text.charAt(3) == '-') {
      openCode = code;
      openLines = new ArrayList<>();
      openLines.add(text);
      openBytes = text.length() + 2;
    } else {
      failed = true;
      throw new FtpProtocolException("malformed reply line: " + abbreviate(text));
    }
  }

  /** The code of a reply line, or -1: first digit 1-5, the others 0-9, each checked (no {@code 5x9}). */
  static int parseCode(String text) {
    char a = text.charAt(0);
    char b = text.charAt(1);
    char c = text.charAt(2);
    if (a < '1' || a > '5' || b < '0' || b > '9' || c < '0' || c > '9') {
      return -1;
    }
    return (a - '0') * 100 + (b - '0') * 10 + (c - '0');
  }

  private static String abbreviate(String text) {
    String clean = FtpReply.singleLine(text);
    return clean.length() > 80 ? clean.substring(0, 80) + "..." : clean;
  }
}
