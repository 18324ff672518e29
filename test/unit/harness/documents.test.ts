import { ALL_DOCUMENTS } from '../../../src/harness/firstgen/documents';
import { cleanHarnessMessage, classifyGraphqlMessage } from '../../../src/harness/harness-error';
import { validateDocument } from '../../../src/simulators/harness-schema';

describe('Harness GraphQL documents', () => {
  it.each(Object.entries(ALL_DOCUMENTS))('%s is valid against Harness schema', (_name, doc) => {
    expect(validateDocument(doc)).toEqual([]);
  });

  it('the validator does reject a wrong document', () => {
    expect(validateDocument('query { apiKeys { id } }')).toEqual(['Cannot query field "apiKeys" on type "Query".']);
  });
});

describe('Harness error messages', () => {
  it('strips the resolver prefix and puts unknown ids in plain words', () => {
    expect(cleanHarnessMessage('Exception while fetching data (/createApiKey) : Duplicate name foo')).toBe('Duplicate name foo');
    expect(cleanHarnessMessage('Exception while fetching data (/deleteApiKey) : apiKeyEntry is null for id: abc')).toBe(
      'No such API key in this Harness account.',
    );
  });

  it('classifies permission and plan errors as forbidden', () => {
    expect(classifyGraphqlMessage('Invalid request: User not authorized')).toBe('forbidden');
    expect(classifyGraphqlMessage('Operation not permitted for account [x].')).toBe('forbidden');
    expect(classifyGraphqlMessage('Duplicate name foo')).toBe('rejected');
  });
});
