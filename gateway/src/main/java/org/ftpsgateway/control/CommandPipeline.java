package org.ftpsgateway.control;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetSocket;
import java.util.ArrayDeque;
import org.ftpsgateway.data.ReadGate;
import org.ftpsgateway.protocol.CommandLineDecoder;
import org.ftpsgateway.protocol.FtpCommand;
import org.ftpsgateway.protocol.FtpReply;

/**
 * The client's commands, in order: lines are decoded (bounded length), queued, and handed to the session one at a
 * time; the next waits until the current one has its final reply (RFC 959 §4.2), so a pipelining client gets its
 * replies in order. ABOR during a transfer does not wait its turn (RFC 959 §4.1.3). The queue is bounded: past
 * {@link #MAX_QUEUED_COMMANDS} the client socket stops being read.
 *
 * <p>Threading: fed by the client socket's handler and driven by the session, all on the session's event loop.
 */
final class CommandPipeline {

  /** Pipelined commands held before the client socket is paused (bounded memory per session). */
  private static final int MAX_QUEUED_COMMANDS = 32;

  /** A client line that is not a command: answered 500 in its turn. */
  private record Invalid(String reason) {
  }

  private final ControlSession session;
  private final NetSocket client;
  private final CommandLineDecoder decoder = new CommandLineDecoder();
  private final ArrayDeque<Object> queue = new ArrayDeque<>();
  /** A command is being handled (its final reply not yet sent). */
  private boolean busy;
  /**
   * ABORs sent out of band that have no final reply yet: the commands behind them wait, so that a command the
   * gateway answers itself cannot overtake the ABOR's reply (RFC 959 §4.2: replies in the order of the commands).
   */
  private int abortsInFlight;
  /** {@link #pump} is on the stack (a command answered synchronously must not recurse into it). */
  private boolean pumping;
  private long lastActivityNanos = System.nanoTime();

  CommandPipeline(ControlSession session, NetSocket client) {
    this.session = session;
    this.client = client;
  }

  void onBytes(Buffer buffer) {
    byte[] bytes = buffer.getBytes();
    decoder.feed(bytes, 0, bytes.length, new CommandLineDecoder.Sink() {
      @Override
      public void line(String line) {
        onLine(line);
      }

      @Override
      public void invalid(String reason) {
        enqueue(new Invalid(reason));
      }
    });
  }

  private void onLine(String line) {
    lastActivityNanos = System.nanoTime();
    FtpCommand command = FtpCommand.parse(line);
    if (command == null) {
      enqueue(new Invalid("syntax error, command unrecognized"));
      return;
    }
    // RFC 959 §4.1.3: ABOR acts on the transfer in progress, it does not wait its turn behind it
    if (command.verb().equals("ABOR") && session.state() == SessionState.TRANSFERRING) {
      abortsInFlight++;
      session.abortTransfer().onComplete(ar -> {
        abortsInFlight--;
        session.abortAnswered();
      });
      return;
    }
    enqueue(command);
  }

  private void enqueue(Object item) {
    if (session.state() == SessionState.CLOSED) {
      return;
    }
    queue.add(item);
    if (queue.size() >= MAX_QUEUED_COMMANDS) {
      ReadGate.stop(client);
    }
    pump();
  }

  /** Hands queued commands to the session while it takes them and none is in progress. */
  void pump() {
    if (pumping) {
      return;
    }
    pumping = true;
    try {
      while (session.state().takesCommands() && !busy && abortsInFlight == 0 && !queue.isEmpty()) {
        busy = true;
        Object item = queue.poll();
        if (item instanceof Invalid invalid) {
          session.reply(FtpReply.of(500, invalid.reason()));
          busy = false;
        } else {
          session.dispatch((FtpCommand) item);
        }
      }
      if (queue.size() < MAX_QUEUED_COMMANDS / 2 && session.state() != SessionState.CLOSED) {
        ReadGate.start(client);
      }
    } finally {
      pumping = false;
    }
  }

  /** The current command has its final reply. */
  void finished() {
    busy = false;
  }

  /** Whether a command, or an ABOR sent out of band, is in progress. */
  boolean busy() {
    return busy || abortsInFlight > 0;
  }

  /** When the client last sent a line. */
  long lastActivityNanos() {
    return lastActivityNanos;
  }

  /** The session ended: queued commands are dropped. */
  void clear() {
    queue.clear();
  }
}
