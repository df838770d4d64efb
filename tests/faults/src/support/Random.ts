/**
 * A seeded generator (mulberry32), so a failing run of a randomized test can be replayed: the
 * tests print their seed, and TABLECAST_FAULTS_SEED sets it.
 */
export const seededRandom = (seed: number): (() => number) => {
  let state = seed >>> 0
  return () => {
    state = (state + 0x6d2b79f5) >>> 0
    let t = state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296
  }
}

/** The seed of this run: TABLECAST_FAULTS_SEED, or a fresh one. */
export const runSeed = (): number => {
  const given = process.env.TABLECAST_FAULTS_SEED
  return given !== undefined && given !== "" ? Number(given) : Math.floor(Math.random() * 2 ** 31)
}
