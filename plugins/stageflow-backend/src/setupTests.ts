// These tests talk to real servers (git, registries, PostgreSQL, Redis) and
// start backends: on a loaded machine one takes longer than jest's 5 s.
jest.setTimeout(60_000);

export {};
