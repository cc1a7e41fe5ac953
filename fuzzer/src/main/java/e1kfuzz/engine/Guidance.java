package e1kfuzz.engine;

/**
 * How a campaign chooses traces: fresh random ones only, or also mutations of coverage-raising
 * ones.
 */
public enum Guidance {
  /** Half the runs mutate a kept trace that reached new coverage, half are fresh. */
  COVERAGE,
  /** Every run is a fresh random trace: run r depends on the seed and r only. */
  NONE
}
