package org.ftpsgateway.data;

import java.util.Locale;

/** Which way a transfer's bytes flow, seen from the client. */
public enum Direction {
  /** RETR, LIST, NLST, MLSD: upstream to client. */
  DOWNLOAD,
  /** STOR, STOU, APPE: client to upstream. */
  UPLOAD;

  /** The direction of a transfer verb, or null when the verb opens no data connection. */
  public static Direction of(String verb) {
    return switch (verb.toUpperCase(Locale.ROOT)) {
      case "RETR", "LIST", "NLST", "MLSD" -> DOWNLOAD;
      case "STOR", "STOU", "APPE" -> UPLOAD;
      default -> null;
    };
  }
}
