/**
 * What the metrics sampler reports about one service instance. Pure data.
 */

/** The process group the sampler measures for one instance. */
export interface SampleTarget {
  instance: string;
  /** The instance's pid, which leads its own process group (pgid = pid). */
  pid: number;
}

/** Resource use of one instance's whole process group at one moment. */
export interface InstanceSample {
  instance: string;
  /** The group leader's pid. */
  pid: number;
  /** When it was measured, ms since the epoch. */
  at: number;
  /**
   * CPU of the whole group since the instance's previous sample, in percent
   * of one core (200 = two cores busy). The first sample of a pid averages
   * over each member's lifetime instead.
   */
  cpuPercent: number;
  /** User + system CPU seconds of the group's live members (an exited member's share is gone). */
  cpuSeconds: number;
  /** Sum of the members' RSS; pages shared between members are counted once per member. */
  memoryBytes: number;
  /** Live (non-zombie) members of the group. */
  processes: number;
}
