package org.ftpsgateway.data;

import java.util.Locale;
import org.ftpsgateway.protocol.Verbs;

/** Which way a transfer's bytes flow, seen from the client. */
public enum Direction {
  /** {@link Verbs#DOWNLOADS}: upstream to client. */
  DOWNLOAD,
  /** {@link Verbs#UPLOADS}: client to upstream. */
  UPLOAD;

  /** The direction of a transfer verb, or null when the verb opens no data connection. */
  public static Direction of(String verb) {
    String v = verb.toUpperCase(Locale.ROOT);
    return Verbs.DOWNLOADS.contains(v) ? DOWNLOAD : Verbs.UPLOADS.contains(v) ? UPLOAD : null;
  }
}
