package e1kfuzz.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Trace format v1: canonical formatting round-trips, and bad text gets a precise error. */
class TraceFormatTest {

  /** Every step kind with edge values, from a seeded source. */
  static Step randomStep(SplittableRandom r) {
    return switch (r.nextInt(13)) {
      case 0 -> new Step.Write(randomOffset(r), r.nextBoolean() ? r.nextInt() : r.nextInt(3) - 1);
      case 1 -> new Step.Read(randomOffset(r));
      case 2 -> new Step.Tx(r.nextBoolean(), r.nextBoolean(), r.nextBoolean());
      case 3 -> new Step.Rx(r.nextBoolean(), r.nextBoolean(), r.nextBoolean(), r.nextBoolean());
      case 4 -> new Step.Msix(Step.MsixControl.values()[r.nextInt(4)]);
      case 5 -> new Step.MsixVector(r.nextInt(Pci.MSIX_VECTORS), r.nextBoolean());
      case 6 -> new Step.Msi(r.nextBoolean());
      case 7 -> new Step.Intx(r.nextBoolean());
      case 8 -> new Step.Link(r.nextBoolean());
      case 9 -> new Step.Mdic();
      case 10 ->
          new Step.Wait(
              switch (r.nextInt(4)) {
                case 0 -> 0;
                case 1 -> r.nextLong(1, 1_000_000_000L);
                case 2 -> r.nextLong(1, 1000) * 1000;
                default -> TraceParser.MAX_WAIT_NS;
              });
      case 11 -> new Step.Expire(TimerId.values()[r.nextInt(TimerId.COUNT)]);
      default -> new Step.Reset();
    };
  }

  static int randomOffset(SplittableRandom r) {
    return r.nextBoolean()
        ? Reg.values()[r.nextInt(Reg.values().length)].offset()
        : r.nextInt(Reg.BAR0_SIZE / 4) * 4;
  }

  @Test
  void formattingGeneratedTracesGivesTextThatParsesBackToTheSameTrace() throws Exception {
    SplittableRandom r = new SplittableRandom(20261125);
    for (int t = 0; t < 500; t++) {
      List<Step> steps = new ArrayList<>();
      int n = r.nextInt(40);
      for (int i = 0; i < n; i++) {
        steps.add(randomStep(r));
      }
      List<Expectation> expect = new ArrayList<>();
      for (Variant v : Variant.values()) {
        if (r.nextInt(3) == 0) {
          expect.add(
              new Expectation(
                  v.id(), Signature.values()[r.nextInt(Signature.values().length)].id()));
        }
      }
      expect.add(new Expectation("*", "ok"));
      Trace trace =
          Trace.of(steps)
              .withHeader(List.of("seed " + t, "", "a  spaced  comment"))
              .withExpectations(expect);
      String text = trace.format();
      Trace back = TraceParser.parse("gen", text);
      assertEquals(trace, back, text);
      assertEquals(text, back.format());
    }
  }

  @Test
  void parsingAcceptsTheDocumentedSpellingsAndFormatsThemCanonically() throws Exception {
    String text =
        """
        # header
        @expect qemu-7.2.0 assert:collect-delayed-causes   # inline comment
        @expect * ok
        write tidv 65535
        write 0x000c8 0x4
        WRITE RDTR_A 0X10
        read 0x1fffc
        tx q1 ide
        rx nobuf ack
        msix vector 4 unmask
        intx off
        wait 67ms
        wait 1500us
        wait 2000ns
        expire EITR2

        reset\r
        """;
    Trace t = TraceParser.parse("doc", text);
    assertEquals(
        """
        # header
        @expect qemu-7.2.0 assert:collect-delayed-causes
        @expect * ok
        write TIDV 0x0000ffff
        write ICS 0x00000004
        write RDTR_A 0x00000010
        read 0x1fffc
        tx ide q1
        rx ack nobuf
        msix vector 4 unmask
        intx off
        wait 67ms
        wait 1500us
        wait 2us
        expire eitr2
        reset
        """,
        t.format());
    assertEquals(
        "assert:collect-delayed-causes", t.expectedResult(Variant.QEMU_7_2_0).orElseThrow());
    assertEquals("ok", t.expectedResult(Variant.QEMU_10_2).orElseThrow());
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      value = {
        "frobnicate 1              | 1 | unknown step                   | frobnicate",
        "write FOO 1               | 7 | unknown register               | FOO",
        "write ICS 0x1g            | 11| bad number                     | 0x1g",
        "write ICS 0x100000000     | 11| value does not fit in 32 bits  | 0x100000000",
        "write ICS -1              | 11| bad number                     | -1",
        "write 0x20000 1           | 7 | offset outside BAR0            | 0x20000",
        "write 0x00c1 1            | 7 | offset not 4-byte aligned      | 0x00c1",
        "write ICS                 | 1 | missing operand                | write ICS",
        "write ICS 1 2             | 13| unexpected text                | 2",
        "tx ide ide                | 8 | flag given twice               | ide",
        "rx fast                   | 4 | unknown flag                   | fast",
        "msix sideways             | 6 | expected on, off, mask         | sideways",
        "msix vector 5 mask        | 13| MSI-X vector out of range      | 5",
        "msix vector 1 maybe       | 15| expected mask or unmask        | maybe",
        "wait 10                   | 6 | duration needs a unit          | 10",
        "wait 10s                  | 6 | duration needs a unit          | 10s",
        "wait 1.5ms                | 6 | bad duration                   | 1.5ms",
        "wait 86400001ms           | 6 | duration longer than one day   | 86400001ms",
        "wait 99999999999999999ns  | 6 | bad duration                   | 99999999999999999ns",
        "expire tidw               | 8 | unknown timer                  | tidw",
        "@expect qemu-9.9 ok       | 9 | unknown variant                | qemu-9.9",
        "@expect * crash           | 11| unknown result                 | crash",
        "@expect *                 | 1 | expected '@expect VARIANT RESULT' | @expect *",
        "@frob                     | 1 | unknown directive              | @frob",
      })
  void badTextIsReportedWithLineColumnAndTheOffendingText(
      String line, int column, String problem, String offending) {
    TraceSyntaxException e =
        assertThrows(
            TraceSyntaxException.class,
            () -> TraceParser.parse("f.trace", "reset\n" + line.strip() + "\n"));
    assertEquals(2, e.line());
    assertEquals(column, e.column(), e.getMessage());
    assertTrue(e.problem().startsWith(problem), e.getMessage());
    assertEquals(offending, e.offending());
    assertTrue(e.getMessage().startsWith("f.trace:2:" + column + ": "), e.getMessage());
  }

  @Test
  void aSecondExpectationForTheSameVariantIsAnError() {
    TraceSyntaxException e =
        assertThrows(
            TraceSyntaxException.class,
            () ->
                TraceParser.parse("f", "@expect qemu-8.1 ok\n@expect qemu-8.1 intx-under-msix\n"));
    assertEquals(2, e.line());
    assertEquals("qemu-8.1", e.offending());
  }

  @Test
  void controlCharactersAreRejectedAndShownEscaped() {
    TraceSyntaxException e =
        assertThrows(TraceSyntaxException.class, () -> TraceParser.parse("f", "reset\u0007\n"));
    assertEquals(6, e.column());
    assertTrue(e.getMessage().endsWith("'\\x07'"), e.getMessage());
  }

  @Test
  void aLeadingByteOrderMarkIsIgnored() throws Exception {
    String text = "# header\n@expect * ok\nwrite TIDV 0xffff\nwait 1ms\n";
    Trace plain = TraceParser.parse("f", text);
    Trace marked = TraceParser.parse("f", "\uFEFF" + text);
    assertEquals(plain.format(), marked.format());
    assertEquals(List.of("header"), marked.header());
    // on a step line too (the reported bug: "unknown step: '\uFEFFwrite'")
    assertEquals(
        plain.steps(),
        TraceParser.parse("f", "\uFEFF@expect * ok\nwrite TIDV 0xffff\nwait 1ms\n").steps());
    // columns on line 1 count from after the mark
    TraceSyntaxException e =
        assertThrows(
            TraceSyntaxException.class, () -> TraceParser.parse("f", "\uFEFFwrite TIDV 0xzz\n"));
    assertEquals(1, e.line());
    assertEquals(12, e.column(), e.getMessage());
  }

  @Test
  void aByteOrderMarkAnywhereElseIsStillAnError() {
    TraceSyntaxException e =
        assertThrows(
            TraceSyntaxException.class,
            () -> TraceParser.parse("f", "reset\n\uFEFFwrite TIDV 0x1\n"));
    assertEquals(2, e.line());
    assertEquals("\uFEFFwrite", e.offending());
    assertThrows(TraceSyntaxException.class, () -> TraceParser.parse("f", "\uFEFF\uFEFFreset\n"));
  }
}
