import { describeGoogleError } from './gcp-sm-resolver';

describe('describeGoogleError', () => {
  it("words Google's JSON error body as STATUS: message", () => {
    const error = new Error(
      '{"error":{"code":404,"message":"Secret Version [projects/a/secrets/b/versions/latest] not found.","status":"NOT_FOUND"}}',
    );
    expect(describeGoogleError(error)).toBe(
      'NOT_FOUND: Secret Version [projects/a/secrets/b/versions/latest] not found.',
    );
  });

  it('keeps other errors to their first line', () => {
    expect(describeGoogleError(new Error('7 PERMISSION_DENIED: denied\nstack...'))).toBe(
      '7 PERMISSION_DENIED: denied',
    );
  });
});
