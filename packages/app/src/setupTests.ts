import '@testing-library/jest-dom';

// Rendering whole pages in jsdom takes longer than jest's 5 s on a loaded
// machine.
jest.setTimeout(60_000);
