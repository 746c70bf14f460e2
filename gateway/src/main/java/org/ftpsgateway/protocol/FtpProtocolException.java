package org.ftpsgateway.protocol;

/** A peer sent bytes that are not valid FTP; the message says what was wrong, in one sentence. */
public final class FtpProtocolException extends Exception {
  private static final long serialVersionUID = 1L;

  public FtpProtocolException(String message) {
    super(message, null, false, false);
  }
}
