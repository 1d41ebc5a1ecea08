import { describeAzureError, isPrivateAuthority, onKeyVaultDomain } from './azure-kv-resolver';

describe('Azure Key Vault settings', () => {
  it('checks the challenge resource on Key Vault domains only', () => {
    expect(onKeyVaultDomain('https://acme.vault.azure.net')).toBe(true);
    expect(onKeyVaultDomain('https://acme.vault.azure.cn')).toBe(true);
    expect(onKeyVaultDomain('https://acme.privatelink.example.internal')).toBe(false);
    expect(onKeyVaultDomain('https://localhost:8443')).toBe(false);
  });

  it('skips instance discovery for an authority host of its own', () => {
    expect(isPrivateAuthority(undefined)).toBe(false);
    expect(isPrivateAuthority('https://login.microsoftonline.com')).toBe(false);
    expect(isPrivateAuthority('https://login.chinacloudapi.cn/')).toBe(false);
    expect(isPrivateAuthority('https://adfs.contoso.com/adfs')).toBe(true);
    expect(isPrivateAuthority('https://localhost:8443')).toBe(true);
  });
});

describe('describeAzureError', () => {
  it("adds Entra's description of a refused sign-in, without its trace", () => {
    const error = Object.assign(new Error('EnvironmentCredential authentication failed.\nmore'), {
      name: 'AuthenticationError',
      errorResponse: {
        errorDescription:
          'AADSTS7000215: Invalid client secret provided. Trace ID: abc\nCorrelation ID: x',
      },
    });
    expect(describeAzureError(error)).toBe(
      'AuthenticationError: EnvironmentCredential authentication failed.: AADSTS7000215: Invalid client secret provided.',
    );
  });
});
