# Sign-in through the agency's identity provider: limits on starting a sign-in.

oidc-throttled-title = Too many sign-ins started
error-oidc_throttled = Too many sign-ins were started from here, or for your agency, in the last few minutes. Wait ten minutes and try again; you can still sign in with your Casework password if you have one.
