import { pathOf } from '../../common/http/path-of';

/** The one route that takes a form body: the SAML ACS (HTTP-POST binding). */
export const SAML_ACS_PATH = '/auth/callback/saml';

/** Its body limit: a SAMLResponse is a few kB, a few tens with certificates inside. */
export const SAML_FORM_BODY_LIMIT = 256 * 1024;

/** The fields of the HTTP-POST binding's form. */
export interface SamlForm {
  SAMLResponse?: string;
  RelayState?: string;
}

/** Whether `url` is the ACS, the only route where application/x-www-form-urlencoded is read. */
export function takesFormBody(url: string): boolean {
  return pathOf(url) === SAML_ACS_PATH;
}

/** The SAML fields of a form body (anything else in it is ignored; a repeated field: the first). */
export function parseSamlForm(text: string): SamlForm {
  const params = new URLSearchParams(text);
  const form: SamlForm = {};
  const response = params.get('SAMLResponse');
  const relayState = params.get('RelayState');
  if (response !== null) form.SAMLResponse = response;
  if (relayState !== null) form.RelayState = relayState;
  return form;
}
