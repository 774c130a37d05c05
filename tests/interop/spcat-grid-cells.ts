/** The cells of the spcat interop grid: peers, transports, protocol pairs, rows. */

/** A peer command (a column of the grid). */
export type GridPeer = "nngcat" | "nanocat";

/** The peers in column order. */
export const gridPeers: readonly GridPeer[] = ["nngcat", "nanocat"];

/** The transports of the grid. */
export type GridScheme = "tcp" | "ipc" | "ws";

/** A protocol pair of the grid. */
export interface GridPair {
  readonly id: string;
  /** The two versioned protocol names (equal for symmetric protocols). */
  readonly protocols: readonly [string, string];
  /** Peers that have the protocol (nanocat has no PAIR v1). */
  readonly peers: readonly GridPeer[];
}

const both: readonly GridPeer[] = gridPeers;

/** Every protocol pair. */
export const gridPairs: readonly GridPair[] = [
  { id: "pair0", protocols: ["pair0", "pair0"], peers: both },
  { id: "pair1", protocols: ["pair1", "pair1"], peers: ["nngcat"] },
  { id: "push/pull", protocols: ["push0", "pull0"], peers: both },
  { id: "pub/sub", protocols: ["pub0", "sub0"], peers: both },
  { id: "req/rep", protocols: ["req0", "rep0"], peers: both },
  { id: "surveyor/respondent", protocols: ["surveyor0", "respondent0"], peers: both },
  { id: "bus", protocols: ["bus0", "bus0"], peers: both },
];

/** Every transport. */
export const gridSchemes: readonly GridScheme[] = ["tcp", "ipc", "ws"];

/** One row: a pair, the protocol spcat plays, a transport and a side. */
export interface GridRow {
  readonly pair: GridPair;
  readonly spcat: string;
  readonly peer: string;
  readonly scheme: GridScheme;
  readonly spcatListens: boolean;
}

/** One cell: a row and a peer. */
export interface GridCell {
  readonly row: GridRow;
  readonly tool: GridPeer;
}
