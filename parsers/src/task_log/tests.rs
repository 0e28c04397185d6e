//! Tests over testdata/tasklogs (added with the test data).
