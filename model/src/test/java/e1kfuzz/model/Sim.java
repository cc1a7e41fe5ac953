package e1kfuzz.model;

import static org.junit.jupiter.api.Assertions.fail;

import java.util.ArrayList;
import java.util.List;

/** Test helper: runs trace text on a variant and gives back the device, its events and outcome. */
final class Sim {
  final E1000eCore core;
  final List<Event> events = new ArrayList<>();
  Violation violation;

  private Sim(Variant variant, boolean strict) {
    core = variant.newCore();
    core.setStrict(strict);
    core.setEventSink(events::add);
  }

  static Sim run(Variant variant, String steps) {
    return new Sim(variant, false).then(steps);
  }

  static Sim strict(Variant variant, String steps) {
    return new Sim(variant, true).then(steps);
  }

  /** Runs more steps, one per line; stops at the first violation. */
  Sim then(String steps) {
    try {
      for (Step s : TraceParser.parse("<test>", steps).steps()) {
        if (violation != null) {
          break;
        }
        violation = core.step(s);
      }
    } catch (TraceSyntaxException e) {
      fail(e.getMessage());
    }
    return this;
  }

  /** The signature reached, or "ok". */
  String result() {
    return violation == null ? "ok" : violation.signature().id();
  }

  int read(Reg reg) {
    return core.mmioRead(reg.offset());
  }

  List<Event.Interrupt> interrupts() {
    List<Event.Interrupt> out = new ArrayList<>();
    for (Event e : events) {
      if (e instanceof Event.Interrupt i) {
        out.add(i);
      }
    }
    return out;
  }

  long count(Event.Delivery delivery) {
    return interrupts().stream().filter(i -> i.delivery() == delivery).count();
  }

  List<Event.TimerArmed> armed(TimerId t) {
    List<Event.TimerArmed> out = new ArrayList<>();
    for (Event e : events) {
      if (e instanceof Event.TimerArmed a && a.timer() == t) {
        out.add(a);
      }
    }
    return out;
  }

  List<TimerId> firedOrder() {
    List<TimerId> out = new ArrayList<>();
    for (Event e : events) {
      if (e instanceof Event.TimerFired f) {
        out.add(f.timer());
      }
    }
    return out;
  }
}
