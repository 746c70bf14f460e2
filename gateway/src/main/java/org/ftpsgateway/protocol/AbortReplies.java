package org.ftpsgateway.protocol;

import java.util.List;

/**
 * Sorts what an upstream answered to a transfer command and the ABOR sent while it ran (RFC 959 §4.1.3: the
 * transfer's reply, 426 or 226 if it had completed, then ABOR's 226). Real servers differ, measured through the
 * gateway:
 * <ul>
 *   <li>vsftpd 3.0.3: 426 then 225/226, as the RFC says;
 *   <li>ProFTPD 1.3.8, ABOR during an upload or a download it still sends: "226 Abort successful" first, then the
 *       transfer's 426;
 *   <li>pure-ftpd 1.0.50, ABOR after the data connection failed: no final reply for the transfer at all (its
 *       statistics line comes with code 150), then "226 Since you see this ABOR must've succeeded";
 *       ABOR during an upload: 426, then 451 for ABOR.
 * </ul>
 * The gateway follows ABOR with NOOP and takes every final reply before NOOP's 200 as the pair's ({@code finals});
 * from them the client gets the RFC's order: the transfer's failure (or its 226), then a positive reply to ABOR.
 */
public final class AbortReplies {

  /** What the client gets: the transfer command's final reply, then ABOR's. */
  public record Sorted(FtpReply transfer, FtpReply abor) {
  }

  private AbortReplies() {
  }

  /** Pure: the pair the client gets from the upstream's final replies between the transfer command and NOOP. */
  public static Sorted sort(List<FtpReply> finals) {
    FtpReply failure = finals.stream().filter(r -> !r.isPositiveCompletion()).findFirst().orElse(null);
    FtpReply positive = finals.stream().filter(FtpReply::isPositiveCompletion).findFirst().orElse(null);
    FtpReply aborted = FtpReply.of(426, "Connection closed; transfer aborted.");
    FtpReply aborOk = FtpReply.of(226, "ABOR command successful.");
    if (finals.size() >= 2 && failure == null) {
      // both positive: the transfer had completed (RFC 959 §4.1.3, first case)
      return new Sorted(finals.get(0), finals.get(1));
    }
    if (failure != null) {
      // the transfer failed: its failure first; ABOR's positive reply, or ours when the server gave none (451)
      return new Sorted(failure, positive != null ? positive : aborOk);
    }
    // one positive reply or none: the server answered ABOR alone, the transfer got no final reply of its own
    return new Sorted(aborted, positive != null ? positive : aborOk);
  }
}
