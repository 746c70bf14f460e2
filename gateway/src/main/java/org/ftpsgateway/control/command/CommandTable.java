package org.ftpsgateway.control.command;

import java.util.HashMap;
import java.util.Map;
import org.ftpsgateway.protocol.Verbs;

/**
 * The one table from verb to handler: the verbs the gateway must change (as MINA FtpServer finds its command
 * classes). Every other verb passes through to the upstream verbatim, its reply relayed unchanged: the gateway
 * intercepts only what it must (it secures the upstream and runs every data connection through itself).
 *
 * <p>A new intercepted verb is one small {@link CommandHandler} and one line here; a new verb that opens a data
 * connection is one entry in {@link Verbs} (the transfer handler serves it).
 */
public final class CommandTable {

  private static final CommandHandler PASS_THROUGH = (command, session) -> session.relay(command, r -> r);

  private static final Map<String, CommandHandler> HANDLERS = handlers();

  private CommandTable() {
  }

  private static Map<String, CommandHandler> handlers() {
    Map<String, CommandHandler> table = new HashMap<>();
    table.put("AUTH", SecurityCommands::auth);
    table.put("PBSZ", SecurityCommands::pbsz);
    table.put("PROT", SecurityCommands::prot);
    table.put("CCC", SecurityCommands::ccc);
    table.put("USER", LoginCommands::user);
    table.put("PASS", LoginCommands::pass);
    table.put("REIN", (command, session) -> session.answer(502,
        "REIN not supported through the gateway; reconnect instead"));
    table.put("PASV", PassiveCommands::pasv);
    table.put("EPSV", PassiveCommands::epsv);
    table.put("PORT", ActiveCommands::port);
    table.put("EPRT", ActiveCommands::eprt);
    table.put("FEAT", Feat::feat);
    table.put("QUIT", Quit::quit);
    table.put("ABOR", (command, session) -> {
      // ABOR in its turn (no transfer running; one in flight is aborted out of band): a prepared data connection goes
      session.closePrepared();
      session.relay(command, r -> r);
    });
    CommandHandler transfer = TransferCommand::transfer;
    for (String verb : Verbs.DATA) {
      table.put(verb, transfer);
    }
    return Map.copyOf(table);
  }

  /** The handler for {@code verb} (upper case, as FtpCommand parses it): its own, or the pass-through. */
  public static CommandHandler handler(String verb) {
    return HANDLERS.getOrDefault(verb, PASS_THROUGH);
  }

  /** Whether the gateway handles {@code verb} itself rather than passing it through. */
  public static boolean intercepts(String verb) {
    return HANDLERS.containsKey(verb);
  }
}
