package org.ftpsgateway.tls;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.Enumeration;
import java.util.logging.Logger;
import javax.crypto.SecretKey;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLSession;
import javax.net.ssl.SSLSessionContext;

/**
 * {@link TicketReuse} for the JDK engine. The JDK keeps one session per host and port and, under TLS 1.3, clears the
 * ticket of a session when it offers it and removes the session from its cache ({@code PreSharedKeyExtension}).
 * Before each connection this finds the newest session that still holds a ticket and remembers it with a copy of its
 * ticket (identity and pre-shared key); when none is left it restores them into the remembered session and puts that
 * back into the cache.
 *
 * <p>The JSSE has no public API for this: it needs {@code --add-opens java.base/sun.security.ssl=ALL-UNNAMED}, which
 * the jar's manifest carries ({@code Add-Opens}, honoured by {@code java -jar}). Without it, or on a JDK whose internals
 * differ, this does nothing and says so once at start.
 */
final class JdkTicketReuse implements TicketReuse {

  private static final Logger LOG = Logger.getLogger(JdkTicketReuse.class.getName());

  /** Handles into the JSSE (immutable once loaded), or null when they cannot be had. */
  private static final Jsse JSSE = Jsse.load();

  private final SSLSessionContext cache;
  private SSLSession kept;
  private byte[] keptTicket;
  private SecretKey keptKey;

  private JdkTicketReuse(SSLSessionContext cache) {
    this.cache = cache;
  }

  /** Ticket reuse on the client session cache of one session's JDK context. */
  static TicketReuse of(SSLSessionContext cache) {
    return JSSE == null || cache == null ? NONE : new JdkTicketReuse(cache);
  }

  @Override
  public synchronized void arm(SSLEngine engine) {
    SSLSession newest = newestWithTicket();
    if (newest != null) {
      kept = newest;
      keptTicket = JSSE.ticket(newest).clone();
      keptKey = JSSE.key(newest);
    } else if (kept != null) {
      // the kept session's ticket and key were offered and cleared: give them back (the server accepts them again)
      JSSE.setTicket(kept, keptTicket.clone(), keptKey);
    }
    if (kept != null) {
      // under the host and port of the connection that received it, which is this connection's (UpstreamTls.secure)
      JSSE.put(cache, kept);
    }
  }

  @Override
  public long received() {
    return -1;
  }

  @Override
  public synchronized boolean holdsTicket() {
    return kept != null || newestWithTicket() != null;
  }

  /** The cached session with the newest unused ticket, or null. */
  private SSLSession newestWithTicket() {
    SSLSession newest = null;
    long newestTicketTime = Long.MIN_VALUE;
    for (Enumeration<byte[]> ids = cache.getIds(); ids.hasMoreElements(); ) {
      SSLSession s = cache.getSession(ids.nextElement());
      byte[] ticket = s == null ? null : JSSE.ticket(s);
      if (ticket != null && ticket.length > 0 && JSSE.key(s) != null && JSSE.ticketTime(s) >= newestTicketTime) {
        newest = s;
        newestTicketTime = JSSE.ticketTime(s);
      }
    }
    return newest;
  }

  /** Method handles on sun.security.ssl.SSLSessionImpl and SSLSessionContextImpl. */
  private record Jsse(MethodHandle getTicket, MethodHandle setTicket, MethodHandle getKey, MethodHandle setKey,
                      MethodHandle ticketTime, MethodHandle put) {

    static Jsse load() {
      try {
        Class<?> session = Class.forName("sun.security.ssl.SSLSessionImpl");
        Class<?> context = Class.forName("sun.security.ssl.SSLSessionContextImpl");
        MethodHandles.Lookup lookup = MethodHandles.lookup();
        return new Jsse(
            handle(lookup, session, "getPskIdentity", MethodType.methodType(byte[].class)),
            handle(lookup, session, "setPskIdentity", MethodType.methodType(void.class, byte[].class)),
            handle(lookup, session, "getPreSharedKey", MethodType.methodType(SecretKey.class)),
            handle(lookup, session, "setPreSharedKey", MethodType.methodType(void.class, SecretKey.class)),
            handle(lookup, session, "getTicketCreationTime", MethodType.methodType(long.class)),
            handle(lookup, context, "put", MethodType.methodType(void.class, session)));
      } catch (ReflectiveOperationException | RuntimeException e) {
        LOG.warning("JDK TLS engine: TLS 1.3 tickets cannot be offered again (" + e.getMessage() + "; run with"
            + " --add-opens java.base/sun.security.ssl=ALL-UNNAMED, as java -jar does): upstreams that send no"
            + " ticket on uploads (ProFTPD) refuse the data connection after an upload; use sslEngine: openssl there");
        return null;
      }
    }

    private static MethodHandle handle(MethodHandles.Lookup lookup, Class<?> owner, String name, MethodType type)
        throws ReflectiveOperationException {
      var method = owner.getDeclaredMethod(name, type.parameterArray());
      method.setAccessible(true);
      return lookup.unreflect(method);
    }

    byte[] ticket(SSLSession s) {
      try {
        return (byte[]) getTicket.invoke(s);
      } catch (Throwable e) {
        return null;
      }
    }

    long ticketTime(SSLSession s) {
      try {
        return (long) ticketTime.invoke(s);
      } catch (Throwable e) {
        return Long.MIN_VALUE;
      }
    }

    SecretKey key(SSLSession s) {
      try {
        return (SecretKey) getKey.invoke(s);
      } catch (Throwable e) {
        return null;
      }
    }

    void setTicket(SSLSession s, byte[] ticket, SecretKey key) {
      try {
        setTicket.invoke(s, ticket);
        setKey.invoke(s, key);
      } catch (Throwable e) {
        LOG.fine(() -> "cannot restore a TLS ticket: " + e);
      }
    }

    void put(SSLSessionContext cache, SSLSession s) {
      try {
        put.invoke(cache, s);
      } catch (Throwable e) {
        LOG.fine(() -> "cannot put a TLS session back: " + e);
      }
    }
  }
}
