package org.ftpsgateway.admin;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.logging.Logger;

/**
 * The operator API's bearer token (admin.tokenFile), read at start and again whenever the file's content changes
 * (a Kubernetes Secret is updated in place by swapping a symlink, so the file is re-read on a timer rather than
 * watched). Only the token's SHA-256 is kept, and a presented token is compared by its SHA-256 with
 * {@link MessageDigest#isEqual} (time independent of where they differ; hashing first also hides the length).
 */
public final class AdminToken {

  private static final Logger LOG = Logger.getLogger(AdminToken.class.getName());
  /** How often the file is read again. */
  static final long RELOAD_MILLIS = 5_000;

  /** What a request proved. */
  public enum Check { NONE, BEARER, BASIC, WRONG }

  private final Vertx vertx;
  private final String file;
  /** SHA-256 of the current token; replaced on the timer's thread, read on the HTTP server's. */
  private volatile byte[] digest;
  private long timer = -1;

  private AdminToken(Vertx vertx, String file, byte[] digest) {
    this.vertx = vertx;
    this.file = file;
    this.digest = digest;
  }

  /** Reads {@code file} (fails with a sentence naming the key when empty or unreadable) and keeps it fresh. */
  public static Future<AdminToken> load(Vertx vertx, String file) {
    return read(vertx, file).map(d -> {
      AdminToken token = new AdminToken(vertx, file, d);
      token.timer = vertx.setPeriodic(RELOAD_MILLIS, id -> token.reread());
      return token;
    }).recover(e -> Future.failedFuture("admin.tokenFile: " + e.getMessage()));
  }

  private static Future<byte[]> read(Vertx vertx, String file) {
    return vertx.fileSystem().readFile(file).compose(b -> {
      String token = b.toString(StandardCharsets.UTF_8).strip();
      if (token.isEmpty()) {
        return Future.failedFuture(file + " is empty");
      }
      return Future.succeededFuture(sha256(token));
    }, e -> Future.failedFuture("cannot read " + file + ": " + e.getMessage()));
  }

  private void reread() {
    read(vertx, file).onComplete(ar -> {
      if (ar.failed()) {
        // keep the token we have: a Secret in the middle of its update must not lock the operator out
        LOG.warning(() -> ar.cause().getMessage() + "; keeping the previous token");
      } else if (!MessageDigest.isEqual(ar.result(), digest)) {
        digest = ar.result();
        LOG.info(() -> "admin.tokenFile " + file + " changed: new token in use");
      }
    });
  }

  /**
   * What the {@code Authorization} header proves: {@code Bearer <token>}, or HTTP basic (RFC 7617) with the token
   * as the password and any user name (so that a browser can open the status page).
   */
  public Check check(String authorization) {
    if (authorization == null || authorization.isBlank()) {
      return Check.NONE;
    }
    String header = authorization.strip();
    int space = header.indexOf(' ');
    if (space < 0) {
      return Check.WRONG;
    }
    String scheme = header.substring(0, space);
    String value = header.substring(space + 1).strip();
    if (scheme.equalsIgnoreCase("Bearer")) {
      return matches(value) ? Check.BEARER : Check.WRONG;
    }
    if (scheme.equalsIgnoreCase("Basic")) {
      String decoded;
      try {
        decoded = new String(Base64.getDecoder().decode(value), StandardCharsets.UTF_8);
      } catch (IllegalArgumentException e) {
        return Check.WRONG;
      }
      int colon = decoded.indexOf(':');
      return colon >= 0 && matches(decoded.substring(colon + 1)) ? Check.BASIC : Check.WRONG;
    }
    return Check.WRONG;
  }

  private boolean matches(String presented) {
    return MessageDigest.isEqual(sha256(presented), digest);
  }

  private static byte[] sha256(String s) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 not available", e);
    }
  }

  public void stop() {
    if (timer >= 0) {
      vertx.cancelTimer(timer);
    }
  }
}
