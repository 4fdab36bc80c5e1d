import fc from 'fast-check';
import {
  NO_PRECONDITIONS,
  NO_VALIDATOR_HISTORY,
  preconditionsAllowEarly,
  type PreconditionFacts,
  type ValidatorHistory,
  type ValidatorRecord,
} from './revalidation.js';

const request = (facts: Partial<PreconditionFacts>): PreconditionFacts => ({ ...NO_PRECONDITIONS, ...facts });
const route = (history: Partial<ValidatorHistory>): ValidatorHistory => ({ ...NO_VALIDATOR_HISTORY, ...history });

const record = fc.constantFrom<ValidatorRecord>('unknown', 'unique', 'repeated');
const anyHistory = fc.record({
  etags: record,
  lastModified: record,
  foreignEtag: fc.boolean(),
  foreignLastModified: fc.boolean(),
});
const anyRequest = fc.record({
  ifNoneMatch: fc.boolean(),
  ifModifiedSince: fc.boolean(),
  ifMatchOrUnmodifiedSince: fc.boolean(),
  range: fc.boolean(),
  settled: fc.boolean(),
  moduleEtag: fc.boolean(),
  moduleLastModified: fc.boolean(),
});

describe('preconditionsAllowEarly', () => {
  it('lets a request without conditional headers go early, and never a Range request', () => {
    expect(preconditionsAllowEarly(NO_PRECONDITIONS, NO_VALIDATOR_HISTORY)).toBe(true);
    fc.assert(
      fc.property(anyRequest, anyHistory, (facts, history) => {
        if (facts.range) expect(preconditionsAllowEarly(facts, history)).toBe(false);
      }),
    );
  });

  describe('settled by @Conditional()', () => {
    it('goes early when the module set the validator the request compares, and no response carried another', () => {
      expect(preconditionsAllowEarly(request({ settled: true, ifNoneMatch: true, moduleEtag: true }), route({}))).toBe(
        true,
      );
      expect(
        preconditionsAllowEarly(
          request({ settled: true, ifModifiedSince: true, moduleLastModified: true }),
          route({ lastModified: 'repeated' }),
        ),
      ).toBe(true);
      // If-None-Match is compared with the ETag only: the module's Last-Modified does not settle it.
      expect(
        preconditionsAllowEarly(
          request({ settled: true, ifNoneMatch: true, ifModifiedSince: true, moduleEtag: true }),
          route({ foreignLastModified: true }),
        ),
      ).toBe(true);
    });

    it("does not own Express's ETag (an @ETag() that returned undefined, a @LastModified() route), nor one a handler replaced", () => {
      const lastModifiedOnly = request({
        settled: true,
        ifNoneMatch: true,
        ifModifiedSince: true,
        moduleLastModified: true,
      });
      expect(preconditionsAllowEarly(lastModifiedOnly, route({}))).toBe(false);
      expect(preconditionsAllowEarly(lastModifiedOnly, route({ etags: 'repeated' }))).toBe(false);
      expect(
        preconditionsAllowEarly(
          request({ settled: true, ifNoneMatch: true, moduleEtag: true }),
          route({ foreignEtag: true }),
        ),
      ).toBe(false);
      expect(
        preconditionsAllowEarly(
          request({ settled: true, ifModifiedSince: true, moduleLastModified: true }),
          route({ foreignLastModified: true }),
        ),
      ).toBe(false);
    });

    it('then goes by the route history like any revalidation: early when those ETags never repeated', () => {
      const lastModifiedOnly = request({ settled: true, ifNoneMatch: true, moduleLastModified: true });
      expect(preconditionsAllowEarly(lastModifiedOnly, route({ etags: 'unique' }))).toBe(true);
    });

    it('goes early after an If-Match or If-Unmodified-Since that passed, without a revalidation', () => {
      expect(preconditionsAllowEarly(request({ settled: true, ifMatchOrUnmodifiedSince: true }), route({}))).toBe(true);
    });
  });

  describe('not settled', () => {
    it('keeps If-Match and If-Unmodified-Since late: they may end in a 412', () => {
      fc.assert(
        fc.property(anyHistory, fc.boolean(), (history, ifNoneMatch) =>
          expect(preconditionsAllowEarly(request({ ifMatchOrUnmodifiedSince: true, ifNoneMatch }), history)).toBe(
            false,
          ),
        ),
      );
    });

    it('treats If-None-Match as a plain navigation only on a route whose ETags never repeated', () => {
      expect(preconditionsAllowEarly(request({ ifNoneMatch: true }), route({ etags: 'unique' }))).toBe(true);
      expect(preconditionsAllowEarly(request({ ifNoneMatch: true }), route({ etags: 'repeated' }))).toBe(false);
      expect(preconditionsAllowEarly(request({ ifNoneMatch: true }), route({ etags: 'unknown' }))).toBe(false);
      // If-Modified-Since does not count beside If-None-Match (RFC 9110 §13.1.3).
      expect(
        preconditionsAllowEarly(
          request({ ifNoneMatch: true, ifModifiedSince: true }),
          route({ etags: 'unique', lastModified: 'repeated' }),
        ),
      ).toBe(true);
    });

    it('treats If-Modified-Since alone as a plain navigation only on a route whose Last-Modified never repeated', () => {
      expect(preconditionsAllowEarly(request({ ifModifiedSince: true }), route({ lastModified: 'unique' }))).toBe(true);
      expect(
        preconditionsAllowEarly(
          request({ ifModifiedSince: true }),
          route({ lastModified: 'repeated', etags: 'unique' }),
        ),
      ).toBe(false);
    });
  });

  it('never lets a revalidation go early on a route whose compared validator has repeated, unless the module owns it', () => {
    fc.assert(
      fc.property(anyRequest, anyHistory, (facts, history) => {
        const compared = facts.ifNoneMatch ? history.etags : history.lastModified;
        const owned = facts.ifNoneMatch
          ? facts.moduleEtag && !history.foreignEtag
          : facts.moduleLastModified && !history.foreignLastModified;
        if ((facts.ifNoneMatch || facts.ifModifiedSince) && compared !== 'unique' && !(facts.settled && owned)) {
          expect(preconditionsAllowEarly(facts, history)).toBe(false);
        }
      }),
    );
  });
});
