import type { IDataObject, IHttpRequestOptions } from 'n8n-workflow';

import {
	fillTemplate,
	readInboxList,
	templateVariableCount,
} from '../../../../nodes/shared/transport/inbox';

/** A platform list (§10–§12) of `total` rows: `has_more` is `count >= skip + limit`, as iMBRACE's. */
function platformList(total: number) {
	const asked: Array<[number, number]> = [];
	const call = async (request: IHttpRequestOptions): Promise<IDataObject> => {
		const { skip, limit } = request.qs as { skip: number; limit: number };
		asked.push([skip, limit]);
		const data = Array.from({ length: Math.max(0, Math.min(limit, total - skip)) }, (_, n) => ({
			id: `row_${skip + n}`,
		}));
		return {
			object_name: 'list',
			data,
			has_more: total >= skip + limit,
			count: total,
			total: data.length,
		};
	};
	return { asked, call };
}

describe('inbox lists', () => {
	it.each([
		[
			200,
			[
				[0, 100],
				[100, 100],
			],
		],
		[100, [[0, 100]]],
		[
			105,
			[
				[0, 100],
				[100, 100],
			],
		],
		[0, [[0, 100]]],
	])(
		'reads a platform list of %i rows without the empty page its has_more asks for',
		async (total, pages) => {
			const { asked, call } = platformList(total);

			const rows = await readInboxList(
				{ method: 'GET', url: '/platform/v1/teams' },
				Infinity,
				call,
			);

			expect(rows).toHaveLength(total);
			expect(asked).toEqual(pages);
		},
	);

	it('asks no more than Limit needs', async () => {
		const { asked, call } = platformList(500);

		const rows = await readInboxList({ method: 'GET', url: '/platform/v1/teams' }, 150, call);

		expect(rows).toHaveLength(150);
		expect(asked).toEqual([
			[0, 100],
			[100, 50],
		]);
	});
});

describe('templates', () => {
	it('counts variables by the highest {{n}} and fills each', () => {
		const text = 'Hi {{1}}, your order {{2}} has shipped. Thanks, {{1}}!';
		expect(templateVariableCount(text)).toBe(2);
		expect(templateVariableCount('Thanks for contacting us')).toBe(0);
		expect(fillTemplate(text, ['Jenny', 'ORD-1042'])).toBe(
			'Hi Jenny, your order ORD-1042 has shipped. Thanks, Jenny!',
		);
	});
});
