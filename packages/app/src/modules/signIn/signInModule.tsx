import {
  ApiBlueprint,
  createFrontendModule,
  discoveryApiRef,
} from '@backstage/frontend-plugin-api';
import { SignInPageBlueprint } from '@backstage/plugin-app-react';
import { TeammateAuth, teammateAuthApiRef } from './TeammateAuth';

const teammateAuthApi = ApiBlueprint.make({
  name: 'teammate-auth',
  params: defineParams =>
    defineParams({
      api: teammateAuthApiRef,
      deps: { discoveryApi: discoveryApiRef },
      factory: ({ discoveryApi }) => new TeammateAuth({ discoveryApi }),
    }),
});

/**
 * The demo's sign-in page: guest (a member of team-a and team-b) and a
 * teammate (another member of team-b), so that a promotion requested as one
 * can be approved as the other. Replaces the app's default page, which
 * offers guest only.
 */
const signInPage = SignInPageBlueprint.make({
  params: {
    loader: async () => {
      const { SignInPage } = await import('@backstage/core-components');
      return props => (
        <SignInPage
          {...props}
          providers={[
            'guest',
            {
              id: 'teammate',
              title: 'Teammate',
              message:
                'Bjoern Dieding, another member of team-b: approves what guest requests.',
              apiRef: teammateAuthApiRef,
            },
          ]}
        />
      );
    },
  },
});

export const signInModule = createFrontendModule({
  pluginId: 'app',
  extensions: [teammateAuthApi, signInPage],
});
