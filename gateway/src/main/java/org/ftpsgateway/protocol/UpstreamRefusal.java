package org.ftpsgateway.protocol;

/**
 * The upstream answered a command the gateway sent on the client's behalf (EPSV, PASV, EPRT, PORT while preparing a
 * data connection) with a refusal the client should read as it is: {@code 530} (not logged in) or {@code 532}
 * (need an account), RFC 959 §5.4. Any other refusal is a data-connection failure of the gateway's (425).
 */
public final class UpstreamRefusal extends RuntimeException {

  private final transient FtpReply reply;

  private UpstreamRefusal(String message, FtpReply reply) {
    super(message, null, false, false);
    this.reply = reply;
  }

  /** The failure for {@code reply} to {@code verb}: carries the reply when the client must get it unchanged. */
  public static RuntimeException of(String verb, FtpReply reply) {
    String message = "upstream refused " + verb + ": " + reply.text();
    return reply.code() == 530 || reply.code() == 532
        ? new UpstreamRefusal(message, reply) : new IllegalStateException(message);
  }

  /** The reply the client gets for a failure to prepare its data connection: the upstream's own, or 425. */
  public static FtpReply clientReply(Throwable failure) {
    return failure instanceof UpstreamRefusal refusal ? refusal.reply
        : FtpReply.of(425, "Can't open data connection: " + failure.getMessage());
  }
}
