//! `operations!`: a table of operations, each declared once as
//!
//! ```text
//! /// What it does (becomes the client function's doc).
//! name: Method "/api/path/{field}" [body whole(field)] [status 201]
//!     InputType { field: Type, ... }        // or a type declared elsewhere, e.g. NoInput
//!     -> OutputType = |api, actor, input| expression;
//! ```
//!
//! Both bracketed options may be left out: `[body whole(f)]` takes the JSON body as field `f`
//! (a form), `[body text(f)]` the text body as field `f` (a cluster file); without it the body's
//! members are the fields. `[status N]` is the HTTP status of a success when it is not `200`
//! (`204` without an answer).
//!
//! The braces, when given, declare the input type (fields with their doc comments and serde
//! attributes); a field it does not have is refused, never ignored (a stray `"plan": true`
//! must not start the real thing). The expression runs in an async block returning `Result`: it may `.await` and
//! use `?`, and its value is the output.

macro_rules! operations {
    (@input [$($doc:literal)*] $input:ident) => {};
    (@input [$($doc:literal)*] $input:ident { $($fields:tt)* }) => {
        $(#[doc = $doc])*
        #[derive(Debug, serde::Deserialize, schemars::JsonSchema)]
        #[serde(deny_unknown_fields)]
        pub struct $input { $($fields)* }
    };
    ($(
        $(#[doc = $doc:literal])*
        $name:ident : $method:ident $path:literal
            $([body $kind:ident($field:ident)])?
            $([status $status:literal])?
            $input:ident $({ $($fields:tt)* })?
            -> $output:ty = |$api:ident, $actor:ident, $i:pat_param| $body:expr;
    )*) => {
        $(operations!(@input [$($doc)*] $input $({ $($fields)* })?);)*

        /// The operations of this file.
        pub(super) static OPERATIONS: &[super::Operation] = &[$(
            super::Operation {
                name: stringify!($name),
                doc: concat!($($doc, "\n",)* ""),
                method: super::Method::$method,
                path: $path,
                body: operations!(@body $($kind($field))?),
                status: operations!(@status $($status)?),
                input_schema: |g| g.subschema_for::<$input>(),
                output_schema: |g| g.subschema_for::<$output>(),
                call: |api, actor, value| {
                    Box::pin(async move {
                        let $i: $input = super::input(stringify!($name), value)?;
                        let ($api, $actor) = (&api, &actor);
                        let out: $output = $body;
                        super::output(out)
                    })
                },
            },
        )*];
    };
    (@body) => { super::Body::Fields };
    (@body whole($field:ident)) => { super::Body::Whole(stringify!($field)) };
    (@body text($field:ident)) => { super::Body::Text(stringify!($field)) };
    (@status) => { None };
    (@status $status:literal) => { Some($status) };
}
