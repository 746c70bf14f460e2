package org.ftpsgateway.protocol;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * One complete FTP reply (RFC 959 §4.2): a validated three-digit code and its lines exactly as received
 * (without line terminators), so that a relayed reply reaches the client byte for byte.
 */
public record FtpReply(int code, List<String> lines) {

  public FtpReply {
    if (code < 100 || code > 599) {
      throw new IllegalArgumentException("reply code out of range: " + code);
    }
    if (lines.isEmpty()) {
      throw new IllegalArgumentException("a reply has at least one line");
    }
    lines = List.copyOf(lines);
  }

  /** A single-line reply made by the gateway itself. */
  public static FtpReply of(int code, String text) {
    return new FtpReply(code, List.of(code + " " + singleLine(text)));
  }

  /**
   * A multi-line reply made by the gateway: {@code code-first}, inner lines indented by one space (so no inner
   * line can be mistaken for the last one), {@code code last}.
   */
  public static FtpReply multiLine(int code, String first, List<String> inner, String last) {
    var out = new ArrayList<String>(inner.size() + 2);
    out.add(code + "-" + singleLine(first));
    for (String line : inner) {
      out.add(" " + singleLine(line).stripLeading());
    }
    out.add(code + " " + singleLine(last));
    return new FtpReply(code, out);
  }

  /** Text of a reply made from arbitrary input (exception messages, upstream text) can never break framing. */
  static String singleLine(String text) {
    StringBuilder sb = new StringBuilder(text.length());
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      sb.append(c == '\r' || c == '\n' || c == 0 ? ' ' : c);
    }
    return sb.toString();
  }

  public boolean isPreliminary() {
    return code < 200;
  }

  public boolean isPositiveCompletion() {
    return code >= 200 && code < 300;
  }

  public boolean isNegative() {
    return code >= 400;
  }

  /** The text after the code of every line (for inner lines of a multi-line reply: the whole line). */
  public String text() {
    StringBuilder sb = new StringBuilder();
    String prefix = Integer.toString(code);
    for (String line : lines) {
      if (sb.length() > 0) {
        sb.append(' ');
      }
      if (line.startsWith(prefix) && line.length() >= 4) {
        sb.append(line, 4, line.length());
      } else if (line.equals(prefix)) {
        // bare code: no text
      } else {
        sb.append(line.strip());
      }
    }
    return sb.toString();
  }

  /** Text of the last line only, the part most servers put the meaning into. */
  public String lastLineText() {
    String last = lines.get(lines.size() - 1);
    return last.length() > 4 ? last.substring(4) : "";
  }

  /** Wire form: every line terminated by CRLF, bytes as ISO-8859-1 (FTP is 8-bit transparent, RFC 2640 §2.2). */
  public byte[] toBytes() {
    StringBuilder sb = new StringBuilder();
    for (String line : lines) {
      sb.append(line).append("\r\n");
    }
    return sb.toString().getBytes(StandardCharsets.ISO_8859_1);
  }

  @Override
  public String toString() {
    return String.join(" | ", lines);
  }
}
