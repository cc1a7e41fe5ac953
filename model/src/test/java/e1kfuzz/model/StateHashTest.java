package e1kfuzz.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.Array;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * Exploration merges states by {@link E1000eCore#hashState} and expands them from {@link
 * E1000eCore#copyFrom} copies: a field left out of either would make it merge states that behave
 * differently or expand a state that does not exist. These tests find every field by reflection, so
 * a field added later without updating both fails here.
 */
class StateHashTest {
  /** Fields that do not decide what the device does next, each for a reason. */
  private static final Set<String> NOT_STATE =
      Set.of(
          "events", // where events go: an observer, not state
          "marks", // which branches a run passed through: coverage, not state
          "strict", // a checking option, the same for every state of a run
          "deliveryChecks", // the same
          "violation", // what was found so far; exploration records it at the step that found it
          "abort", // an aborted device is never expanded
          "justReset", // cleared at the start of every step
          "causesLeft", // an out-parameter, dead between steps
          "stepsRun", // numbers the steps for violations, like the path does in exploration
          "lastSignal", // only for the text of an unthrottled-interrupt violation
          "core", // Pci's back reference
          "seq"); // Timers' arming counter: only the order among equal deadlines counts (tested

  // below)

  /** Posted descriptors on both queues, a held frame, running timers, parked causes. */
  private static final String BASE =
      """
      write IMS 0x1
      write TIDV 0x10
      write RADV 0x20
      write RDTR 0x10
      write RCTL 0x2
      rx
      write RCTL 0x0
      tx ide
      tx ide q1
      rx ack
      write IVAR 0x800a0908
      write EITR1 0x100
      """;

  private static final String MORE =
      """
      write TCTL 0x2
      wait 1us
      msix on
      write RCTL 0x2
      write ICS 0x4
      wait 200us
      read ICR
      msix off
      write RDTR 0x10
      rx
      wait 20us
      """;

  private static E1000eCore base(Variant v) {
    E1000eCore c = Sim.run(v, BASE).core;
    assertTrue(Integer.bitCount(c.runningTimers()) >= 2, "the base state needs two running timers");
    return c;
  }

  private static StateHasher hash(E1000eCore c) {
    StateHasher h = new StateHasher();
    c.hashState(h);
    return h;
  }

  private static void assertSameHash(E1000eCore a, E1000eCore b) {
    assertEquals(hash(a).high(), hash(b).high());
    assertEquals(hash(a).low(), hash(b).low());
  }

  @TestFactory
  Stream<DynamicTest> copyIsCompleteAndBehavesTheSame() {
    return Arrays.stream(Variant.values())
        .map(
            v ->
                DynamicTest.dynamicTest(
                    v.id(),
                    () -> {
                      E1000eCore original = base(v);
                      E1000eCore copy = v.newCore();
                      copy.copyFrom(original);
                      assertDeepEqual(original, copy, v.id());
                      assertSameHash(original, copy);
                      for (Step s : TraceParser.parse("<more>", MORE).steps()) {
                        Violation a = original.step(s);
                        Violation b = copy.step(s);
                        assertEquals(a, b, s.format());
                        assertEquals(DeviceState.of(original), DeviceState.of(copy), s.format());
                        assertSameHash(original, copy);
                      }
                      assertDeepEqual(original, copy, v.id() + " after more steps");
                    }));
  }

  @TestFactory
  Stream<DynamicTest> everyStateFieldChangesTheHash() {
    List<DynamicTest> tests = new ArrayList<>();
    for (Variant v : Variant.values()) {
      E1000eCore probe = base(v);
      for (Object[] target : stateFields(probe)) {
        Field f = (Field) target[1];
        tests.add(
            DynamicTest.dynamicTest(
                v.id() + " " + f.getDeclaringClass().getSimpleName() + "." + f.getName(),
                () -> {
                  E1000eCore c = v.newCore();
                  c.copyFrom(base(v));
                  StateHasher before = hash(c);
                  long high = before.high();
                  long low = before.low();
                  Object owner =
                      target[0] == Pci.class
                          ? c.pci()
                          : target[0] == Timers.class
                              ? c.timers
                              : target[0] == CauseOrigins.class
                                  ? sub(c, "origins")
                                  : target[0] == DeliveryMonitor.class ? sub(c, "delivery") : c;
                  mutate(owner, f, c);
                  StateHasher after = hash(c);
                  assertTrue(
                      after.high() != high || after.low() != low, "hash ignores " + f.getName());
                  E1000eCore copy = v.newCore();
                  copy.copyFrom(c);
                  assertDeepEqual(c, copy, "copy of a changed " + f.getName());
                }));
      }
    }
    return tests.stream();
  }

  @Test
  void arrivalOrderAmongEqualDeadlinesIsState() {
    E1000eCore a = Variant.QEMU_10_2.newCore();
    E1000eCore b = Variant.QEMU_10_2.newCore();
    a.timers.arm(TimerId.RDTR, 1000);
    a.timers.arm(TimerId.TIDV, 1000);
    b.timers.arm(TimerId.TIDV, 1000);
    b.timers.arm(TimerId.RDTR, 1000);
    assertNotEquals(hash(a).high(), hash(b).high());
    E1000eCore c = Variant.QEMU_10_2.newCore();
    c.timers.arm(TimerId.TIDV, 1000);
    c.timers.arm(TimerId.RDTR, 1000);
    c.timers.arm(TimerId.TIDV, 1000); // re-armed: now last, as in a, and seq differs from a's
    c.timers.arm(TimerId.RDTR, 1000);
    c.timers.arm(TimerId.TIDV, 1000);
    assertSameHash(a, c);
  }

  @Test
  void absoluteTimeIsNotStateBeyondTheMillisecond() {
    E1000eCore a = Sim.run(Variant.QEMU_10_2, "write IMS 0x1\nwrite ICS 0x1").core;
    E1000eCore b = Sim.run(Variant.QEMU_10_2, "wait 3ms\nwrite IMS 0x1\nwrite ICS 0x1").core;
    assertSameHash(a, b);
    E1000eCore c = Sim.run(Variant.QEMU_10_2, "wait 3001ns\nwrite IMS 0x1\nwrite ICS 0x1").core;
    assertNotEquals(hash(a).high(), hash(c).high());
  }

  private static Object sub(E1000eCore c, String field) throws Exception {
    Field f = E1000eCore.class.getDeclaredField(field);
    f.setAccessible(true);
    return f.get(c);
  }

  /**
   * [owner class marker, field] for every state field of the core, its Pci, Timers and
   * CauseOrigins.
   */
  private static List<Object[]> stateFields(E1000eCore core) {
    List<Object[]> out = new ArrayList<>();
    for (Class<?> k = core.getClass(); k != Object.class; k = k.getSuperclass()) {
      for (Field f : k.getDeclaredFields()) {
        if (isState(f)
            && f.getType() != Pci.class
            && f.getType() != Timers.class
            && f.getType() != CauseOrigins.class
            && f.getType() != DeliveryMonitor.class) {
          out.add(new Object[] {E1000eCore.class, f});
        }
      }
    }
    for (Class<?> k : List.of(Pci.class, Timers.class, CauseOrigins.class, DeliveryMonitor.class)) {
      for (Field f : k.getDeclaredFields()) {
        if (isState(f)) {
          out.add(new Object[] {k, f});
        }
      }
    }
    return out;
  }

  private static boolean isState(Field f) {
    return !Modifier.isStatic(f.getModifiers())
        && !f.isSynthetic()
        && !NOT_STATE.contains(f.getName());
  }

  /** Changes one field in a way the device could notice. */
  private static void mutate(Object owner, Field f, E1000eCore core) throws Exception {
    f.setAccessible(true);
    Class<?> t = f.getType();
    if (t == int.class) {
      f.setInt(owner, f.getInt(owner) ^ 0x10);
    } else if (t == long.class) {
      f.setLong(owner, f.getLong(owner) + 1);
    } else if (t == boolean.class) {
      f.setBoolean(owner, !f.getBoolean(owner));
    } else if (f.getName().equals("quietUntil")) {
      ((long[]) f.get(owner))[1] = core.now() + 1000; // a throttling counter still running
    } else if (f.getName().equals("lastNotified")) {
      long[] at = (long[]) f.get(owner);
      at[1] = at[1] == core.now() ? core.now() - 1 : core.now(); // signalled at this instant or not
    } else if (f.getName().equals("deadline")) {
      long[] d = (long[]) f.get(owner);
      d[Integer.numberOfTrailingZeros(core.runningTimers())] += 7;
    } else if (f.getName().equals("armedSeq")) {
      // Only the order among equal deadlines counts: give two running timers one deadline, then
      // swap.
      long[] seq = (long[]) f.get(owner);
      Field df = Timers.class.getDeclaredField("deadline");
      df.setAccessible(true);
      long[] d = (long[]) df.get(owner);
      int m = core.runningTimers();
      int i = Integer.numberOfTrailingZeros(m);
      int j = Integer.numberOfTrailingZeros(m & (m - 1));
      d[j] = d[i];
      StateHasher before = hash(core);
      long h = before.high();
      long tmp = seq[i];
      seq[i] = seq[j];
      seq[j] = tmp;
      if (hash(core).high() == h) {
        throw new AssertionError("hash ignores the arming order of equal deadlines");
      }
      d[j] += 1; // leave a change behind for the caller's check too
    } else if (t == ArrayDeque.class) {
      @SuppressWarnings("unchecked")
      ArrayDeque<Step.Rx> q = (ArrayDeque<Step.Rx>) f.get(owner);
      q.add(new Step.Rx(false, true, false, false));
    } else if (t == byte[][].class) {
      byte[][] rings = (byte[][]) f.get(owner);
      rings[1][0] ^= 0x3;
    } else if (t.isArray()) {
      Object a = f.get(owner);
      Object first = Array.get(a, 1);
      if (first instanceof Boolean b) {
        Array.set(a, 1, !b);
      } else {
        Array.setInt(a, 1, ((Integer) first) ^ 0x10);
      }
    } else {
      throw new AssertionError("no mutation for " + f + ": teach this test about the new field");
    }
  }

  /** Field-by-field equality over the class hierarchy, into Pci, Timers, arrays and deques. */
  private static void assertDeepEqual(Object a, Object b, String where) throws Exception {
    for (Class<?> k = a.getClass(); k != Object.class; k = k.getSuperclass()) {
      for (Field f : k.getDeclaredFields()) {
        if (Modifier.isStatic(f.getModifiers())
            || f.getName().equals("events")
            || f.getName().equals("core")) {
          continue;
        }
        f.setAccessible(true);
        Object x = f.get(a);
        Object y = f.get(b);
        String name = where + ": " + k.getSimpleName() + "." + f.getName();
        if (x instanceof Pci
            || x instanceof Timers
            || x instanceof CauseOrigins
            || x instanceof DeliveryMonitor) {
          assertDeepEqual(x, y, name);
        } else if (x instanceof ArrayDeque<?> dx) {
          assertEquals(List.copyOf(dx), List.copyOf((ArrayDeque<?>) y), name);
        } else if (x != null && x.getClass().isArray()) {
          assertTrue(Arrays.deepEquals(new Object[] {x}, new Object[] {y}), name);
        } else {
          assertEquals(x, y, name);
        }
      }
    }
  }
}
