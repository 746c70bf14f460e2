package org.ftpsgateway.protocol;

import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * The one place that says which FTP verbs open a data connection, and which way their bytes flow. The gateway's
 * transfer handling ({@code data.Direction}, the session's command table), the demo server's {@code PROT P} check
 * and the fuzz test all read these lists, so a new data-opening verb is added here once.
 */
public final class Verbs {

  /** Verbs whose data flows from the server to the client (RFC 959 §4.1.3, RFC 3659 §7 for MLSD). */
  public static final List<String> DOWNLOADS = List.of("RETR", "LIST", "NLST", "MLSD");

  /** Verbs whose data flows from the client to the server (RFC 959 §4.1.3). */
  public static final List<String> UPLOADS = List.of("STOR", "STOU", "APPE");

  /** Every verb that opens a data connection: {@link #DOWNLOADS} then {@link #UPLOADS}. */
  public static final List<String> DATA = Stream.concat(DOWNLOADS.stream(), UPLOADS.stream()).toList();

  /** Verbs whose data is a file's content, not a listing (RFC 959 §4.1.3): what audit.sha256 digests. */
  public static final List<String> FILES = List.of("RETR", "STOR", "STOU", "APPE");

  /**
   * The RFC 4217 security verbs. The gateway answers them on the client side itself and secures the upstream on its
   * own, so the upstream's offer of them is never passed on (the FEAT filter hides them).
   */
  public static final List<String> SECURITY = List.of("AUTH", "PBSZ", "PROT", "CCC");

  private Verbs() {
  }

  /** Whether {@code verb} (any case) opens a data connection. */
  public static boolean opensData(String verb) {
    return DATA.contains(verb.toUpperCase(Locale.ROOT));
  }

  /** Whether {@code verb} (any case) sends data from the client to the server. */
  public static boolean uploads(String verb) {
    return UPLOADS.contains(verb.toUpperCase(Locale.ROOT));
  }
}
