export interface Config {
  auth?: {
    providers?: {
      /**
       * The demo's second sign-in, beside guest: signs in without
       * credentials as one catalog user, so that a promotion requested as
       * one member of a team can be approved as another. Development mode
       * (NODE_ENV=development) only.
       */
      teammate?: {
        /** The catalog user to sign in as, e.g. `user:default/bjoern.dieding`. */
        userEntityRef: string;
        /**
         * Allows this provider outside development. Anyone who reaches the
         * backend then signs in as that user: never in production.
         */
        dangerouslyAllowOutsideDevelopment?: boolean;
      };
    };
  };
}
