//! Resolvers.
