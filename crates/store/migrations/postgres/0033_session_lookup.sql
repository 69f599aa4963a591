-- The session lookup that every signed-in request makes first, in one round trip. It crosses
-- agencies (a token names its own), so it needs the System wall; as a walled transaction that
-- was three round trips (BEGIN with the wall, the lookup, ROLLBACK). The function puts the wall
-- up for itself: a SET clause on a function holds only while the function runs, and the setting
-- is back as it was when it returns, in or out of a transaction. It runs as its caller, so the
-- policies still apply. The columns are `session::with_user`'s, in its order.
CREATE FUNCTION casework_session_with_user(hash TEXT)
RETURNS TABLE (
    s_token_hash TEXT, s_agency_id BIGINT, s_user_id BIGINT, s_csrf_token TEXT,
    s_created_at BIGINT, s_last_seen_at BIGINT, s_public_id TEXT, s_user_agent TEXT,
    u_id BIGINT, u_agency_id BIGINT, u_email TEXT, u_display_name TEXT, u_role TEXT,
    u_team_id BIGINT, u_password_hash TEXT, u_locale TEXT, u_active BIGINT, u_version BIGINT
)
LANGUAGE plpgsql STABLE
SET casework.agency = '*'
AS $$
BEGIN
    RETURN QUERY
    SELECT s.token_hash, s.agency_id, s.user_id, s.csrf_token, s.created_at, s.last_seen_at,
           s.public_id, s.user_agent,
           u.id, u.agency_id, u.email, u.display_name, u.role, u.team_id, u.password_hash,
           u.locale, u.active, u.version
    FROM sessions s JOIN users u ON u.id = s.user_id
    WHERE s.token_hash = hash;
END
$$;
