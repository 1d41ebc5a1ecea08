import { asksForConversion } from './completions-fallback.guard';

describe('asksForConversion (x-litellm-fallback)', () => {
  it.each([['true'], ['True'], ['TRUE'], [' true '], ['true, true'], [['true', 'True']]])(
    'takes %j',
    (header) => expect(asksForConversion(header)).toBe(true),
  );

  it.each([[undefined], [''], ['false'], ['1'], ['yes'], ['true, false'], [[]]])(
    'refuses %j',
    (header) => expect(asksForConversion(header)).toBe(false),
  );
});
