//! Tests against the whole router.
