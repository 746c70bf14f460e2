package org.ftpsgateway.tls;

import io.netty.handler.ssl.ReferenceCountedOpenSslContext;
import io.netty.handler.ssl.ReferenceCountedOpenSslEngine;
import io.netty.handler.ssl.SslContext;
import io.netty.internal.tcnative.SSL;
import io.netty.internal.tcnative.SSLContext;
import io.netty.internal.tcnative.SSLSession;
import io.netty.internal.tcnative.SSLSessionCache;
import java.lang.ref.Cleaner;
import java.lang.reflect.Field;
import java.util.logging.Logger;
import javax.net.ssl.SSLEngine;

/**
 * {@link TicketReuse} for the OpenSSL (BoringSSL) engine: this session's TLS context hands every new session
 * (ticket) to this cache instead of Netty's, which would drop a TLS 1.3 session once offered; the newest one is kept
 * and set on each new connection before its handshake ({@code SSL_set_session}, which does not consume it).
 */
final class OpenSslTicketReuse implements TicketReuse, SSLSessionCache {

  /**
   * Frees the kept native session once the context is unreachable. Netty frees the context itself the same way
   * (finalization), and sessions end in many ways (client gone, upstream gone, health probes), so there is no single
   * place to close it. Shared by all instances: a Cleaner is one daemon thread, not state.
   */
  private static final Cleaner CLEANER = Cleaner.create();

  private static final Logger LOG = Logger.getLogger(OpenSslTicketReuse.class.getName());

  private final Kept kept = new Kept();

  private OpenSslTicketReuse() {
  }

  /** Netty's handle of the native context (its protected {@code ctx}), which tcnative's calls take; or null. */
  private static final Field NATIVE_CONTEXT = nativeContextField();

  /** Installs ticket reuse on an OpenSSL client context of one session. */
  static TicketReuse install(SslContext context) {
    long handle = nativeContext(context);
    if (handle == 0) {
      return NONE;
    }
    OpenSslTicketReuse reuse = new OpenSslTicketReuse();
    SSLContext.setSSLSessionCache(handle, reuse);
    CLEANER.register(context, reuse.kept::free);
    return reuse;
  }

  private static Field nativeContextField() {
    try {
      Field f = ReferenceCountedOpenSslContext.class.getDeclaredField("ctx");
      f.setAccessible(true);
      return f;
    } catch (ReflectiveOperationException | RuntimeException e) {
      LOG.warning("OpenSSL TLS engine: TLS 1.3 tickets cannot be offered again (" + e + "): upstreams that send no"
          + " ticket on uploads (ProFTPD) refuse the data connection after an upload");
      return null;
    }
  }

  /**
   * The tcnative context handle. Not {@code sslCtxPointer()}: that is the bare {@code SSL_CTX*}, while
   * {@code SSLContext.setSSLSessionCache} takes tcnative's own structure (passing the former crashes the JVM).
   */
  private static long nativeContext(SslContext context) {
    if (NATIVE_CONTEXT == null || !(context instanceof ReferenceCountedOpenSslContext)) {
      return 0;
    }
    try {
      return NATIVE_CONTEXT.getLong(context);
    } catch (IllegalAccessException e) {
      return 0;
    }
  }

  /** Called by BoringSSL (on the connection's thread) for every new session, i.e. every TLS 1.3 ticket. */
  @Override
  public boolean sessionCreated(long ssl, long session) {
    kept.replace(session);
    return true; // the reference is ours now
  }

  /** Server-side lookup by session id: never used on a client context. */
  @Override
  public long getSession(long ssl, byte[] sessionId) {
    return -1;
  }

  @Override
  public void arm(SSLEngine engine) {
    if (engine instanceof ReferenceCountedOpenSslEngine e) {
      kept.setOn(e.sslPointer());
    }
  }

  @Override
  public long received() {
    return kept.received();
  }

  @Override
  public boolean holdsTicket() {
    return kept.received() > 0;
  }

  /** The kept {@code SSL_SESSION*} (one reference owned), apart so the Cleaner does not keep the cache alive. */
  private static final class Kept {
    private long session;
    private long received;

    synchronized void replace(long newest) {
      if (session != 0) {
        SSLSession.free(session);
      }
      session = newest;
      received++;
    }

    /** SSL_set_session takes its own reference: the kept one stays ours and can be offered again. */
    synchronized void setOn(long ssl) {
      if (session != 0 && ssl != 0) {
        SSL.setSession(ssl, session);
      }
    }

    synchronized long received() {
      return received;
    }

    synchronized void free() {
      if (session != 0) {
        SSLSession.free(session);
        session = 0;
      }
    }
  }
}
