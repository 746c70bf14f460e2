package org.ftpsgateway.control.command;

import static org.assertj.core.api.Assertions.assertThat;

import org.ftpsgateway.protocol.Verbs;
import org.junit.jupiter.api.Test;

class CommandTableTest {

  @Test
  void theGatewayInterceptsItsOwnVerbs() {
    for (String verb : new String[] {"AUTH", "PBSZ", "PROT", "CCC", "USER", "PASS", "REIN", "PASV", "EPSV", "PORT",
        "EPRT", "FEAT", "QUIT", "ABOR"}) {
      assertThat(CommandTable.intercepts(verb)).as(verb).isTrue();
    }
  }

  @Test
  void everyDataOpeningVerbHasTheTransferHandler() {
    for (String verb : Verbs.DATA) {
      assertThat(CommandTable.intercepts(verb)).as(verb).isTrue();
    }
    assertThat(CommandTable.handler("RETR")).isSameAs(CommandTable.handler("STOR"));
  }

  @Test
  void everythingElsePassesThrough() {
    CommandHandler passThrough = CommandTable.handler("NOOP");
    for (String verb : new String[] {"CWD", "SITE", "SIZE", "MDTM", "TYPE", "REST", "MLST", "X-UNKNOWN"}) {
      assertThat(CommandTable.intercepts(verb)).as(verb).isFalse();
      assertThat(CommandTable.handler(verb)).as(verb).isSameAs(passThrough);
    }
  }
}
