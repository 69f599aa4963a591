-- A caseworker's search looks only at the clients they carry or registered.
CREATE INDEX clients_registered_by ON clients (agency_id, registered_by);
